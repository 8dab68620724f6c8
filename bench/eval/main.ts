/**
 * `npm run eval`: the labelled corpus (corpus.ts) through the whole stack on the local fleet — an
 * embedded Temporal dev server, the Homeostat worker with its detector, the fleet — and the figures:
 * a confusion matrix of true against diagnosed class, detection precision and recall, actions on benign
 * scenarios, time to detect and to recover per class, against the targets of issue 11.
 * Usage: npm run eval [-- <scenario name>…]   (no names: the whole corpus; writes .state/eval/<time>.json)
 * Everything binds 127.0.0.1 on free ports and lives in a temporary directory removed at the end.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../core/model/config';
import { startFleet } from '../../fleet/startFleet';
import { createProviders } from '../../providers';
import { startStack } from '../../workers/embeddedStack';
import { freePort } from '../../workers/ports';
import { CORPUS } from './corpus';
import { EvalFleet } from './fleetControl';
import { runScenario } from './runScenario';
import { printReport, targetsFor } from './report';
import { score, type ScenarioObservation } from './score';

const APPROVER = 'eval-operator';
/**
 * A real service would see these incidents over months; the corpus packs them into half an hour on one
 * fleet. The per-service action budget is raised so the rate limit (which would rightly stop a loop)
 * does not stop the measurement; every other setting is the production default.
 */
const EVAL_ENV = {
  HOMEOSTAT_MAX_ACTIONS_PER_SERVICE_PER_HOUR: '500',
  HOMEOSTAT_MAX_ACTIONS_PER_HOUR: '2000',
};

const log = (line: string): void => console.log(line);

async function main(): Promise<number> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !CORPUS.some((s) => s.name === n));
  if (unknown.length > 0) {
    console.error(
      `unknown scenario(s): ${unknown.join(', ')}; known: ${CORPUS.map((s) => s.name).join(', ')}`,
    );
    return 2;
  }
  const scenarios = names.length ? CORPUS.filter((s) => names.includes(s.name)) : CORPUS;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = await mkdtemp(join(tmpdir(), 'homeostat-eval-'));
  const stops: Array<() => Promise<void>> = [];
  try {
    const cfg = loadConfig({
      ...process.env,
      ...EVAL_ENV,
      HOMEOSTAT_STATE_DIR: dir,
      HOMEOSTAT_TEMPORAL_PORT: String(await freePort()),
      HOMEOSTAT_UI: 'false',
      HOMEOSTAT_TARGET: 'local',
      HOMEOSTAT_DEMO: 'false',
      HOMEOSTAT_APPROVERS: APPROVER,
      HOMEOSTAT_TASK_QUEUE: 'homeostat-eval',
    });
    const fleet = await startFleet({
      stateDir: join(dir, 'fleet'),
      controlPort: 0,
      replicasPerService: cfg.fleet.replicasPerService,
      loadRps: cfg.fleet.loadRps,
    });
    stops.push(() => fleet.stop());
    const providers = createProviders(cfg, fleet.controlUrl);
    const stack = await startStack(cfg, () => undefined, providers);
    stops.push(() => stack.stop());
    log(
      `eval: ${scenarios.length} scenarios on the local fleet (${fleet.controlUrl}), task queue ${stack.taskQueue}`,
    );

    const evalFleet = new EvalFleet(fleet.controlUrl);
    const observations: ScenarioObservation[] = [];
    for (const scenario of scenarios) {
      observations.push(
        await runScenario(
          {
            client: stack.client,
            taskQueue: stack.taskQueue,
            fleet: evalFleet,
            approver: APPROVER,
            settleSeconds: 20,
            log,
          },
          scenario,
        ),
      );
    }
    const report = score(observations, targetsFor(cfg.detector));
    printReport(report);
    const out = resolve('.state', 'eval', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await mkdir(resolve('.state', 'eval'), { recursive: true });
    await writeFile(out, JSON.stringify({ report, observations }, null, 2));
    log(`eval: written to ${out}`);
    const t = report.targets;
    return t.everyClassRight && t.zeroActionsOnBenign && t.detectedInTime && t.recoveredInTime ? 0 : 1;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`eval failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
