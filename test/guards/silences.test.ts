import type { Client } from '@temporalio/client';
import { createOperator } from '../../client/operator';
import { governorWorkflowId, type GovernorState } from '../../core/model/governor';
import type { IncidentReport } from '../../core/model/incidentState';
import { startWebhookServer } from '../../triggers/server';
import { governorQuery } from '../../workflows/governorApi';
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
} from '../incident/harness';
import { postJson } from '../triggers/helpers';

const OPERATOR = 'operator-token-0123456789abcdef';
const asOperator = { authorization: `Bearer ${OPERATOR}` };

const endGovernor = async (client: Client, taskQueue: string): Promise<void> => {
  await client.workflow
    .getHandle(governorWorkflowId(taskQueue))
    .terminate('test over')
    .catch(() => undefined);
};

/**
 * Silences on the real server and fleet: set over HTTP by anyone with the operator token (a bad field
 * gets a 400 naming it), they stop an incident after its diagnosis with no action on the fleet, and
 * only an approver lifts one early.
 */
describe('silences', () => {
  const fleet = useFleet();

  it('a silenced service: the incident diagnoses, takes no action and says who silenced it until when', async () => {
    await injectBadRelease(fleet());
    await withWorker(
      async ({ client, taskQueue }) => {
        const server = await startWebhookServer({
          client,
          taskQueue,
          config: { port: 0, operatorToken: OPERATOR },
          log: () => undefined,
        });
        const silences = `${server.url}/safety/silences`;
        try {
          // Bad input: 4xx naming the field, and nothing reaches the governor.
          const noFor = await postJson(silences, { service: 'checkout', by: 'bob', reason: 'x' }, asOperator);
          expect(noFor).toMatchObject({ status: 400, json: { field: 'for' } });
          const badFor = await postJson(
            silences,
            { service: 'checkout', for: 'soon', by: 'bob', reason: 'x' },
            asOperator,
          );
          expect(badFor).toMatchObject({ status: 400, json: { field: 'for' } });
          const noService = await postJson(silences, { for: '2h', by: 'bob', reason: 'x' }, asOperator);
          expect(noService).toMatchObject({ status: 400, json: { field: 'service' } });
          const tooLong = await postJson(
            silences,
            { service: 'checkout', for: '8d', by: 'bob', reason: 'x' },
            asOperator,
          );
          expect(tooLong).toMatchObject({ status: 400, json: { field: 'for' } });
          expect((await postJson(silences, { service: 'checkout' })).status).toBe(401);

          // Anyone with the token may silence: bob is no approver.
          const set = await postJson(
            silences,
            { service: 'checkout', for: '2h', by: 'bob', reason: 'deploy window' },
            asOperator,
          );
          expect(set.status).toBe(201);
          const silence = set.json.silence as { id: string; until: string };
          expect(silence).toMatchObject({ id: 'silence-1', service: 'checkout', by: 'bob' });

          const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
          const report = (await handle.result()) as IncidentReport;
          await maybeRecordHistory(client, handle.workflowId, 'silenced-no-action');
          expect(report.outcome).toBe('escalated');
          expect(report.failureClass).toBe('bad-release'); // it diagnosed first
          const hhmm = `${silence.until.slice(0, 10)} ${silence.until.slice(11, 16)}Z`;
          expect(report.conclusion).toBe(
            `silenced by bob until ${hhmm}: deploy window — no action taken (checkout; silence silence-1)`,
          );
          expect(report.steps).toEqual([]);
          expect(await ledger(fleet(), actionPrefix(handle))).toEqual([]);

          // Lifting early: bob (no approver) is refused, alice lifts it.
          const refused = await postJson(
            `${silences}/checkout/lift`,
            { by: 'bob', reason: 'done' },
            asOperator,
          );
          expect(refused.status).toBe(409);
          expect(refused.json.message).toMatch(
            /bob is not an approver; only approvers may lift a silence early/,
          );
          const noReason = await postJson(`${silences}/silence-1/lift`, { by: 'alice' }, asOperator);
          expect(noReason).toMatchObject({ status: 400, json: { field: 'reason' } });
          const operator = createOperator(client, taskQueue);
          expect((await operator.silences()).map((s) => s.id)).toEqual(['silence-1']);
          const lifted = await postJson(
            `${silences}/silence-1/lift`,
            { by: 'alice', reason: 'window over' },
            asOperator,
          );
          expect(lifted).toMatchObject({ status: 200, json: { lifted: [{ id: 'silence-1' }] } });
          expect(await operator.silences()).toEqual([]);
          const again = await operator.unsilence({ target: 'silence-1', by: 'alice', reason: 'again' });
          expect(again).toMatchObject({
            ok: false,
            message: expect.stringMatching(/no active silence silence-1/),
          });

          const state: GovernorState = await client.workflow
            .getHandle(governorWorkflowId(taskQueue))
            .query(governorQuery);
          expect(state.log.map((e) => [e.kind, e.by, e.silenceId])).toEqual([
            ['silence', 'bob', 'silence-1'],
            ['unsilence', 'alice', 'silence-1'],
          ]);
        } finally {
          await server.close();
          await endGovernor(client, taskQueue);
        }
        await maybeRecordHistory(client, governorWorkflowId(taskQueue), 'governor-silences');
      },
      { deps: incidentDeps(fleet(), { approvers: ['alice'] }) },
    );
  });
});
