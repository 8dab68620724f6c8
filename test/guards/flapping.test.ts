import { governorWorkflowId } from '../../core/model/governor';
import type { IncidentReport } from '../../core/model/incidentState';
import { DEFAULT_SAFETY_LIMITS } from '../../core/model/permits';
import { createOperator } from '../../client/operator';
import { updateGovernor } from '../../client/governor';
import { releasePermitsUpdate } from '../../workflows/governorApi';
import { withWorker } from '../harness/env';
import { maybeRecordHistory } from '../harness/histories';
import {
  actionPrefix,
  firingAlert,
  incidentDeps,
  injectBadRelease,
  ledger,
  openIncident,
  useFleet,
  waitForState,
} from '../incident/harness';

/**
 * Flapping protection on the real server and fleet, with a shortened schedule (the default one, 1-2-4-8
 * minutes and a human at the 5th return, is unit-tested in test/unit/flapping.test.ts): a bad release
 * re-deployed after each rollback. The first incident heals; the next one backs off, looks again and
 * heals; the one after escalates, saying why, and takes no action.
 */
describe('flapping protection', () => {
  const fleet = useFleet();

  it('backs off a failure that returns after a recovery, then hands it to a human', async () => {
    const safety = {
      ...DEFAULT_SAFETY_LIMITS,
      flappingBaseSeconds: 2,
      flappingCapSeconds: 8,
      flappingMaxBackoffs: 1,
    };
    await withWorker(
      async ({ client, taskQueue }) => {
        const incident = async (history?: string) => {
          await injectBadRelease(fleet());
          const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
          const report = (await handle.result()) as IncidentReport;
          if (history) await maybeRecordHistory(client, handle.workflowId, history);
          return { report, actions: await ledger(fleet(), actionPrefix(handle)) };
        };
        try {
          const first = await incident();
          expect(first.report.outcome).toBe('recovered');
          expect(first.report.timeline.map((t) => t.event).join('\n')).not.toMatch(/flapping/);

          const second = await incident('flapping-backed-off');
          expect(second.report.outcome).toBe('recovered');
          const events = second.report.timeline.map((t) => t.event);
          const backOff = events.findIndex((e) =>
            /^flapping: bad-release on checkout returned once within 30 min of a recovery; backing off 2 s/.test(
              e,
            ),
          );
          expect(backOff).toBeGreaterThan(-1);
          // It looked again (gathered and diagnosed anew) before it planned and acted.
          const after = events.slice(backOff);
          expect(after[1]).toMatch(/backed off 2 s; looking at checkout again/);
          expect(after.findIndex((e) => /^diagnosis: bad-release/.test(e))).toBeLessThan(
            after.findIndex((e) => /^plan 1:/.test(e)),
          );
          expect(second.actions.length).toBeGreaterThan(0);

          const third = await incident('flapping-escalated');
          expect(third.report.outcome).toBe('escalated');
          expect(third.report.conclusion).toMatch(
            /^flapping: bad-release on checkout returned 2 times within 30 min after each recovery; .*a human decides — no action taken$/,
          );
          expect(third.report.steps).toEqual([]);
          expect(third.actions).toEqual([]);
        } finally {
          await client.workflow
            .getHandle(governorWorkflowId(taskQueue))
            .terminate('test over')
            .catch(() => undefined);
        }
        // The governor's side: releases that name their failure, and the flapping asks.
        await maybeRecordHistory(client, governorWorkflowId(taskQueue), 'governor-flapping');
      },
      { deps: incidentDeps(fleet(), { safety }) },
    );
  });

  it('waits out a back-off durably, and an abort ends the wait with no action', async () => {
    // A long back-off (5 min), so only the abort can end it within the test.
    const safety = { ...DEFAULT_SAFETY_LIMITS, flappingBaseSeconds: 300 };
    await injectBadRelease(fleet());
    await withWorker(
      async ({ client, taskQueue }) => {
        try {
          // An earlier incident recovered checkout from a bad release (as its release reports it).
          await updateGovernor(client, taskQueue, releasePermitsUpdate, {
            incidentId: 'earlier/run',
            services: ['checkout'],
            result: 'recovered',
            conclusion: 'rolled back',
            limits: safety,
            rootService: 'checkout',
            failureClass: 'bad-release',
          });
          const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
          const held = await waitForState(handle, 'backing off', (s) => s.phase === 'held');
          expect(held.timeline.at(-1)?.event).toMatch(
            /backing off 300 s before acting again — abort still works/,
          );
          const answer = await createOperator(client, taskQueue).abort(handle.workflowId, {
            by: 'alice',
            reason: 'looking into it myself',
          });
          expect(answer).toMatchObject({ ok: true, value: { accepted: true } });
          const report = (await handle.result()) as IncidentReport;
          expect(report).toMatchObject({
            outcome: 'aborted',
            conclusion: 'aborted by alice: looking into it myself',
            steps: [],
          });
          expect(await ledger(fleet(), actionPrefix(handle))).toEqual([]);
        } finally {
          await client.workflow
            .getHandle(governorWorkflowId(taskQueue))
            .terminate('test over')
            .catch(() => undefined);
        }
      },
      { deps: incidentDeps(fleet(), { safety, approvers: ['alice'] }) },
    );
  });
});
