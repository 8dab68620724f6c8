import { randomUUID } from 'node:crypto';
import { CORPUS } from '../../bench/eval/corpus';
import { EvalFleet } from '../../bench/eval/fleetControl';
import { runScenario } from '../../bench/eval/runScenario';
import { score, type ScenarioObservation } from '../../bench/eval/score';
import { startDetector } from '../../activities/detection/start';
import { loadConfig } from '../../core/model/config';
import { detectorConfigSchema } from '../../core/model/detectorConfig';
import { withWorker } from '../harness/env';
import { useFleet } from '../incident/harness';

/**
 * The short subset of the evaluation corpus (`npm run eval` runs all of it): the same runner, the same
 * scoring, the whole stack with production defaults — the detector's (an evaluation every 5 s, `for` 5 s),
 * the incident windows and the playbook catalog — on the test's worker and the shared dev server.
 * One failure that must be detected, diagnosed and healed, and one look-alike that must be left alone.
 */

const fleet = useFleet();
const APPROVER = 'eval-operator';
const defaults = loadConfig({ HOMEOSTAT_APPROVERS: APPROVER });
const { enabled: _enabled, ...detectorDefaults } = detectorConfigSchema.parse({});

it('the subset of the corpus: a bad release healed, a traffic spike left alone', async () => {
  const subset = CORPUS.filter((s) => s.subset);
  expect(subset.map((s) => s.truth.length > 0)).toEqual(expect.arrayContaining([true, false]));
  const observations: ScenarioObservation[] = [];
  await withWorker(
    async ({ client, taskQueue }) => {
      const detector = await startDetector(
        client,
        taskQueue,
        {
          ...detectorDefaults,
          services: ['web', 'checkout', 'payments'],
          incidentScope: randomUUID().slice(0, 8),
        },
        `detector-${randomUUID()}`,
      );
      try {
        for (const scenario of subset)
          observations.push(
            await runScenario(
              {
                client,
                taskQueue,
                fleet: new EvalFleet(fleet().fleet.controlUrl),
                approver: APPROVER,
                settleSeconds: 10,
                log: () => undefined,
              },
              scenario,
            ),
          );
      } finally {
        await detector.terminate('test over');
      }
    },
    {
      deps: {
        providers: fleet().providers,
        incidents: defaults.incidents,
        approvers: [APPROVER],
      },
    },
  );
  const report = score(observations, {
    detectWithinSeconds: 2 * detectorDefaults.intervalSeconds + detectorDefaults.forSeconds,
    medianRecoverUnderSeconds: 60,
  });
  expect(report.misses).toEqual([]);
  expect(report.targets).toMatchObject({
    everyClassRight: true,
    zeroActionsOnBenign: true,
  });
  // Times are figures of `npm run eval`, not asserted here (no timing thresholds in tests).
  // The bad release was healed by Homeostat's own actions, verified, not by the end of the scenario.
  const healed = observations.find((o) => o.truth.length > 0)!;
  expect(healed.incidents.find((i) => !i.linkedTo)).toMatchObject({ outcome: 'recovered' });
  expect(healed.fleetActions).toBeGreaterThan(0);
}, 420_000);
