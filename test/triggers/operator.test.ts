import { incidentWorkflowId } from '../../core/model/alert';
import { governorWorkflowId } from '../../core/model/governor';
import { startWebhookServer } from '../../triggers/server';
import { testActivityDeps, withWorker } from '../harness/env';
import { eventually, postJson, uniqueService, withWebhookServer } from './helpers';

const OPERATOR = 'operator-token-0123456789abcdef';
const AM = 'alertmanager-token-0123456789abcdef';
const asOperator = { authorization: `Bearer ${OPERATOR}` };

async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Starts an incident the way production does: through the Alertmanager endpoint (no worker runs it). */
async function openIncident(url: string, service: string): Promise<string> {
  const res = await postJson(
    `${url}/alerts/alertmanager`,
    {
      version: '4',
      status: 'firing',
      receiver: 'r',
      groupKey: 'g',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'Down', service, severity: 'critical' },
          annotations: {},
          startsAt: new Date().toISOString(),
          fingerprint: `fp-${service}`,
        },
      ],
    },
    { authorization: `Bearer ${AM}` },
  );
  expect(res.status).toBe(202);
  return incidentWorkflowId(service);
}

describe('operator endpoints', () => {
  it('are disabled without an operator token', async () => {
    await withWebhookServer({}, async ({ url }) => {
      const res = await getJson(`${url}/incidents`, asOperator);
      expect(res.status).toBe(403);
      expect(res.json.message).toMatch(/HOMEOSTAT_OPERATOR_TOKEN/);
    });
  });

  it('authenticate, validate, 404 a missing incident, 409 a closed one, and describe and list open ones', async () => {
    const config = { operatorToken: OPERATOR, operatorTimeoutMs: 1_000, alertmanager: { token: AM } };
    await withWebhookServer(config, async ({ client, url }) => {
      const service = uniqueService('op');
      const missing = uniqueService('missing');
      const approval = { by: 'alice', reason: 'canary looks fine' };

      expect((await getJson(`${url}/incidents`)).status).toBe(401);
      expect(
        (await postJson(`${url}/incidents/${missing}/approve`, approval, { authorization: 'Bearer wrong' }))
          .status,
      ).toBe(401);
      const invalid = await postJson(
        `${url}/incidents/${missing}/approve`,
        { by: '', reason: 'x' },
        asOperator,
      );
      expect(invalid.status).toBe(400);
      expect(invalid.json.field).toBe('by');
      const extra = await postJson(
        `${url}/incidents/${missing}/abort`,
        { ...approval, fastPath: true },
        asOperator,
      );
      expect(extra.status).toBe(400);
      expect((await postJson(`${url}/incidents/${missing}/approve`, approval, asOperator)).status).toBe(404);
      expect((await getJson(`${url}/incidents/${missing}`, asOperator)).status).toBe(404);
      expect((await postJson(`${url}/incidents/${missing}/escalate`, approval, asOperator)).status).toBe(404);

      const workflowId = await openIncident(url, service);
      // Both forms of the id: the key, and the URL-encoded workflow id.
      const described = await getJson(`${url}/incidents/${encodeURIComponent(workflowId)}`, asOperator);
      expect(described.status).toBe(200);
      expect(described.json).toMatchObject({
        id: workflowId,
        status: 'RUNNING',
        searchAttributes: expect.objectContaining({
          HomeostatService: service,
          HomeostatSeverity: 'critical',
        }),
      });
      // No worker runs in this test, so the state query cannot be answered; the description still is.
      expect(described.json.state).toBeNull();
      expect(described.json.stateError).toEqual(expect.any(String));

      // With no worker the update cannot be answered either: 504 after the operator timeout, not a hang.
      const unanswered = await postJson(`${url}/incidents/${service}/approve`, approval, asOperator);
      expect(unanswered.status).toBe(504);

      // Visibility is eventually consistent: wait until the new incident is listed.
      const listed = await eventually(async () => {
        const res = await getJson(`${url}/incidents?status=open`, asOperator);
        return (res.json.incidents as unknown[]).length > 0 ? res : undefined;
      });
      expect(listed.status).toBe(200);
      expect(listed.json.incidents).toEqual([
        expect.objectContaining({
          id: workflowId,
          status: 'RUNNING',
          searchAttributes: expect.objectContaining({ HomeostatPhase: 'triage' }),
        }),
      ]);
      expect((await getJson(`${url}/incidents?limit=0`, asOperator)).status).toBe(400);

      await client.workflow.getHandle(workflowId).terminate('test');
      const closed = await postJson(`${url}/incidents/${service}/abort`, approval, asOperator);
      expect(closed.status).toBe(409);
      expect(closed.json.message).toMatch(/terminated/);
    });
  });

  it('with a worker running the incident: the state query answers, and a refused update is a 409 with the reason', async () => {
    await withWorker(
      async ({ client, taskQueue }) => {
        const server = await startWebhookServer({
          client,
          taskQueue,
          config: { port: 0, operatorToken: OPERATOR, alertmanager: { token: AM } },
          log: () => undefined,
        });
        const service = uniqueService('worker');
        try {
          const workflowId = await openIncident(server.url, service);
          const described = await eventually(async () => {
            const res = await getJson(`${server.url}/incidents/${service}`, asOperator);
            return res.json.state ? res : undefined;
          });
          expect(described.json).toMatchObject({
            id: workflowId,
            state: expect.objectContaining({ phase: expect.any(String) }),
          });

          // Nobody can approve an incident that is not awaiting approval: the workflow's validator says why.
          const refused = await postJson(
            `${server.url}/incidents/${service}/approve`,
            { by: 'mallory', reason: 'now' },
            asOperator,
          );
          expect(refused.status).toBe(409);
          expect(refused.json.message).toMatch(/approval|approver|over|closed|completed/i);

          // /metrics counts this deployment's incidents in Temporal: open, then closed by outcome.
          const gauge = async (outcome: string): Promise<number | undefined> => {
            const text = await (await fetch(`${server.url}/metrics`)).text();
            const m = new RegExp(`^homeostat_incidents\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text);
            return m ? Number(m[1]) : undefined;
          };
          await eventually(async () => ((await gauge('open')) === 1 ? true : undefined));
          expect(await gauge('aborted')).toBe(0);
          const abort = await postJson(
            `${server.url}/incidents/${service}/abort`,
            { by: 'alice', reason: 'test over' },
            asOperator,
          );
          expect(abort.status).toBe(200);
          await client.workflow.getHandle(workflowId).result();
          await eventually(async () => ((await gauge('aborted')) === 1 ? true : undefined));
          expect(await gauge('open')).toBe(0);
        } finally {
          await server.close();
          // The incident would otherwise keep waiting for approval after the worker stops.
          await client.workflow
            .getHandle(incidentWorkflowId(service))
            .terminate('test over')
            .catch(() => undefined);
        }
      },
      { deps: { approvers: ['alice'], incidents: { ...testActivityDeps().incidents, triageSeconds: 120 } } },
    );
  });
  it('drive the governor: pause for anyone with the token, resume and breaker reset for approvers only', async () => {
    await withWorker(
      async ({ client, taskQueue }) => {
        const server = await startWebhookServer({
          client,
          taskQueue,
          config: { port: 0, operatorToken: OPERATOR },
          log: () => undefined,
        });
        const safety = `${server.url}/safety`;
        try {
          expect((await getJson(safety)).status).toBe(401);
          expect((await getJson(safety, asOperator)).json).toMatchObject({ state: null });

          const noReason = await postJson(`${safety}/pause`, { by: 'bob' }, asOperator);
          expect(noReason).toMatchObject({ status: 400, json: { field: 'reason' } });
          expect((await getJson(safety, asOperator)).json).toMatchObject({ state: null }); // nothing changed

          const paused = await postJson(
            `${safety}/pause`,
            { by: 'bob', reason: 'bad deploy day' },
            asOperator,
          );
          expect(paused.status).toBe(200);
          expect(paused.json).toMatchObject({ state: { paused: { by: 'bob', reason: 'bad deploy day' } } });
          const refused = await postJson(`${safety}/resume`, { by: 'bob', reason: 'done' }, asOperator);
          expect(refused.status).toBe(409);
          expect(refused.json.message).toMatch(/bob is not an approver/);
          const resumed = await postJson(
            `${safety}/resume`,
            { by: 'alice', reason: 'all clear' },
            asOperator,
          );
          expect(resumed).toMatchObject({ status: 200, json: { state: { paused: null } } });

          const notOpen = await postJson(
            `${safety}/breakers/checkout/reset`,
            { by: 'alice', reason: 'x' },
            asOperator,
          );
          expect(notOpen.status).toBe(409);
          expect(notOpen.json.message).toMatch(/circuit breaker of checkout is not open/);
          expect((await postJson(`${safety}/frobnicate`, { by: 'a', reason: 'b' }, asOperator)).status).toBe(
            404,
          );
          expect((await getJson(`${safety}/pause`, asOperator)).status).toBe(405);

          const after = await getJson(safety, asOperator);
          const log = (after.json.state as { log: Array<{ kind: string; by: string }> }).log;
          expect(log.map((e) => [e.kind, e.by])).toEqual([
            ['pause', 'bob'],
            ['resume', 'alice'],
          ]);
        } finally {
          await server.close();
          await client.workflow
            .getHandle(governorWorkflowId(taskQueue))
            .terminate('test over')
            .catch(() => undefined);
        }
      },
      { deps: { approvers: ['alice'] } },
    );
  });
});
