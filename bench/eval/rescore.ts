/**
 * Scores the observations of several `npm run eval` runs together (for example the whole corpus, then a
 * few scenarios run again by name): `node --import tsx bench/eval/rescore.ts <run.json>… [--latest]`.
 * A scenario observed in more than one file counts once, from the last file that has it.
 */
import { readFile } from 'node:fs/promises';
import { CORPUS } from './corpus';
import { printReport, targetsFor } from './report';
import { score, type ScenarioObservation } from './score';

async function main(): Promise<number> {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: rescore.ts <.state/eval/<time>.json>… (the files npm run eval writes)');
    return 2;
  }
  const byScenario = new Map<string, ScenarioObservation>();
  for (const file of files) {
    const run = JSON.parse(await readFile(file, 'utf8')) as { observations: ScenarioObservation[] };
    for (const o of run.observations) byScenario.set(o.scenario, o);
  }
  const order = CORPUS.map((s) => s.name);
  const observations = [...byScenario.values()].sort(
    (a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario),
  );
  console.log(`${observations.length} scenarios from ${files.length} file(s)`);
  printReport(score(observations, targetsFor()));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(String(err));
    process.exit(1);
  },
);
