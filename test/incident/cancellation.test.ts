import type { IncidentReport } from '../../core/model/incidentState';
import { sleep } from '../../providers/abort';
import type { Providers } from '../../providers/types';
import { withWorker } from '../harness/env';
import { maybeRecordHistory } from '../harness/histories';
import type { TestFleet } from '../fleet/fleetHarness';
import {
  actionPrefix,
  expectRollbackUndone,
  firingAlert,
  incidentDeps,
  injectBadRelease,
  openIncident,
  useFleet,
  waitForState,
} from './harness';

/**
 * The fleet's providers, with a platform that confirms `slowStep` slowly: the fleet applies the change at
 * once, then the action waits (as an AWS action waits for steady state) for 30 s, or until cancelled.
 * Only the first call waits; compensation asking again by the same id gets the ledger's answer at once.
 */
function slowToConfirm(fleet: TestFleet, slowStep: string): Providers {
  const { remediation } = fleet.providers;
  const waited = new Set<string>();
  return {
    ...fleet.providers,
    remediation: {
      describe: (service) => remediation.describe(service),
      setRelease: async (req) => {
        const outcome = await remediation.setRelease(req);
        if (req.actionId.endsWith(slowStep) && !waited.has(req.actionId)) {
          waited.add(req.actionId);
          // Not a wait for anything: an action that outlasts the test unless cancelled (the signal ends it).
          await sleep(30_000, req.signal);
        }
        return outcome;
      },
      restart: (req) => remediation.restart(req),
      setWeights: (req) => remediation.setWeights(req),
      scale: (req) => remediation.scale(req),
      clearCache: (req) => remediation.clearCache(req),
      replayDeadLetters: (req) => remediation.replayDeadLetters(req),
    },
  };
}

/**
 * Cancelling an incident while an action is in flight: the action's activity is cancelled and its end
 * awaited, and compensation undoes it from what the fleet's ledger recorded for its id. Before, the
 * cancellation was reported at once, the running step had no outcome yet, and it was never undone.
 */
describe('incident: cancelled while an action runs', () => {
  const fleet = useFleet();

  it('undoes the action in flight exactly once, after the completed ones in reverse', async () => {
    await injectBadRelease(fleet());
    const bad = (await fleet().providers.remediation.describe('checkout')).targets[0]!.release;

    const { report, prefix } = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        await waitForState(
          handle,
          'stage 2 action in flight',
          (s) => s.steps.some((st) => st.stage === 'fleet' && st.status === 'running'),
          120_000,
        );
        await handle.cancel();
        const report = (await handle.result()) as IncidentReport;
        await maybeRecordHistory(client, handle.workflowId, 'cancelled-action-undone');
        return { report, prefix: actionPrefix(handle) };
      },
      { deps: incidentDeps(fleet(), { providers: slowToConfirm(fleet(), '/fleet.rollback-rest') }) },
    );

    expect(report.outcome).toBe('aborted');
    expect(report.conclusion).toMatch(/cancelled/);
    expect(report.timeline.map((t) => t.event)).toContainEqual(
      expect.stringMatching(/fleet\.rollback-rest interrupted before it reported/),
    );
    expect(report.steps.map((s) => s.status)).toEqual(['compensated', 'compensated']);
    // Each forward action once, each undo once, the interrupted one undone first.
    await expectRollbackUndone(fleet(), prefix, bad);
  });
});
