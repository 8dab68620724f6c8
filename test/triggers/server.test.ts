import { request } from 'node:http';
import { Connection } from '@temporalio/client';
import { incidentWorkflowId } from '../../core/model/alert';
import { freePort } from '../../workers/ports';
import { postJson, signalledBatches, uniqueService, withWebhookServer, workflowExists } from './helpers';

const TOKEN = 'alertmanager-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

function amAlert(service: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    status: 'firing',
    labels: { alertname: 'HighErrorRate', service, severity: 'page' },
    annotations: {},
    startsAt: '2026-11-28T09:00:00.000Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus/graph',
    fingerprint: `fp-${service}`,
    ...overrides,
  };
}

function amPayload(alerts: Record<string, unknown>[]): Record<string, unknown> {
  return {
    version: '4',
    status: 'firing',
    receiver: 'homeostat',
    groupKey: '{}:{}',
    truncatedAlerts: 0,
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://am',
    alerts,
  };
}

/** Sends a body in chunks with no Content-Length, so only streaming byte counting can catch its size. */
async function postChunked(url: string, chunks: number, chunkSize: number): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...auth } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    for (let i = 0; i < chunks; i++) req.write(Buffer.alloc(chunkSize, 0x20));
    req.end();
  });
}

describe('webhook server intake', () => {
  it('refuses what it cannot trust or read with a 4xx naming the problem, and starts nothing', async () => {
    await withWebhookServer(
      { alertmanager: { token: TOKEN }, bodyLimitBytes: 4096 },
      async ({ client, url }) => {
        const service = uniqueService('refused');
        const endpoint = `${url}/alerts/alertmanager`;
        const valid = amPayload([amAlert(service)]);

        const unconfigured = await postJson(`${url}/alerts/grafana`, valid);
        expect(unconfigured.status).toBe(403);
        expect(unconfigured.json.message).toMatch(/HOMEOSTAT_GRAFANA_SECRET/);
        expect((await postJson(`${url}/alerts/nagios`, valid)).status).toBe(404);
        expect((await fetch(endpoint)).status).toBe(405);
        expect((await postJson(endpoint, valid)).status).toBe(401);
        expect((await postJson(endpoint, valid, { authorization: 'Bearer nope' })).status).toBe(401);

        const wrongType = await postJson(endpoint, valid, { ...auth, 'content-type': 'text/plain' });
        expect(wrongType.status).toBe(415);
        expect(wrongType.json.field).toBe('content-type');

        const declaredTooBig = await postJson(endpoint, { ...valid, padding: 'x'.repeat(5000) }, auth);
        expect(declaredTooBig.status).toBe(413);
        expect(await postChunked(endpoint, 64, 1024)).toBe(413);

        const badJson = await postJson(endpoint, '{"version": "4",', auth);
        expect(badJson.status).toBe(400);
        expect(badJson.json.field).toBe('body');

        const badService = await postJson(
          endpoint,
          amPayload([
            amAlert(service),
            amAlert('x', { labels: { alertname: 'A', service: 'Checkout API!' } }),
          ]),
          auth,
        );
        expect(badService.status).toBe(400);
        expect(badService.json.field).toBe('alerts[1].labels.service');

        const noName = await postJson(endpoint, amPayload([amAlert(service, { labels: { service } })]), auth);
        expect(noName.status).toBe(400);
        expect(noName.json.field).toBe('alerts[0].labels.alertname');

        const badVersion = await postJson(endpoint, { ...valid, version: '3' }, auth);
        expect(badVersion.status).toBe(400);
        expect(badVersion.json.field).toBe('version');

        // The valid alert inside the rejected batch did not start anything either: a batch is all or nothing.
        expect(await workflowExists(client, incidentWorkflowId(service))).toBe(false);
        // The id checked is the one a delivery of that alert starts: the check above could fail.
        const accepted = await postJson(endpoint, valid, auth);
        expect(accepted.status).toBe(202);
        expect(accepted.json.incidents).toEqual([
          expect.objectContaining({ id: incidentWorkflowId(service) }),
        ]);
        expect(await workflowExists(client, incidentWorkflowId(service))).toBe(true);
        await client.workflow.getHandle(incidentWorkflowId(service)).terminate('test done');
      },
    );
  });

  it('coalesces a delivery per incident, answers a retried delivery from memory, and ignores orphan resolutions', async () => {
    await withWebhookServer({ alertmanager: { token: TOKEN } }, async ({ client, url, server }) => {
      const endpoint = `${url}/alerts/alertmanager`;
      const a = uniqueService('coalesce-a');
      const b = uniqueService('coalesce-b');
      const latency = amAlert(a, { labels: { alertname: 'Latency', service: a }, fingerprint: 'fp-latency' });
      const body = amPayload([amAlert(a), latency, amAlert(a), amAlert(b)]);

      const first = await postJson(endpoint, body, auth);
      expect(first.status).toBe(202);
      expect(first.json).toMatchObject({ accepted: 4, duplicate: false });
      expect(first.json.incidents).toEqual(
        expect.arrayContaining([
          { id: incidentWorkflowId(a), key: a, result: 'signalled', alerts: 2 },
          { id: incidentWorkflowId(b), key: b, result: 'signalled', alerts: 1 },
        ]),
      );
      const retry = await postJson(endpoint, body, auth);
      expect(retry.status).toBe(202);
      expect(retry.json).toMatchObject({ duplicate: true, incidents: first.json.incidents });

      const batchesA = await signalledBatches(client, incidentWorkflowId(a));
      expect(batchesA).toHaveLength(1);
      expect(batchesA[0]!.alerts.map((x) => x.name).sort()).toEqual(['HighErrorRate', 'Latency']);
      expect(await signalledBatches(client, incidentWorkflowId(b))).toHaveLength(1);

      // A resolution for a service with no open incident starts nothing.
      const c = uniqueService('orphan');
      const orphan = await postJson(
        endpoint,
        amPayload([amAlert(c, { status: 'resolved', endsAt: '2026-11-28T09:05:00Z' })]),
        auth,
      );
      expect(orphan.status).toBe(202);
      expect(orphan.json.incidents).toEqual([expect.objectContaining({ result: 'ignored' })]);
      expect(await workflowExists(client, incidentWorkflowId(c))).toBe(false);

      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/homeostat_webhook_alerts_total\{source="alertmanager",result="signalled"\} 3/);
      expect(metrics).toMatch(/homeostat_webhook_alerts_total\{source="alertmanager",result="duplicate"\} 3/);
      expect(metrics).toMatch(/homeostat_webhook_intake_seconds_count\{source="alertmanager"\} 3/);
      expect(server.metrics.registry.contentType).toMatch(/text\/plain/);
    });
  });

  it('accepts basic auth, and an explicitly open source without credentials', async () => {
    const basic = { alertmanager: { username: 'am', password: 'basic-password-0123456789' } };
    await withWebhookServer(basic, async ({ url }) => {
      const header = `Basic ${Buffer.from('am:basic-password-0123456789').toString('base64')}`;
      const wrong = `Basic ${Buffer.from('am:wrong-password-0123456789').toString('base64')}`;
      const body = amPayload([amAlert(uniqueService('basic'))]);
      expect((await postJson(`${url}/alerts/alertmanager`, body, { authorization: wrong })).status).toBe(401);
      expect((await postJson(`${url}/alerts/alertmanager`, body, { authorization: header })).status).toBe(
        202,
      );
    });
    await withWebhookServer({ alertmanager: { open: true } }, async ({ url }) => {
      const body = amPayload([amAlert(uniqueService('open'))]);
      expect((await postJson(`${url}/alerts/alertmanager`, body)).status).toBe(202);
    });
  });

  it('answers 503 with Retry-After while Temporal is unreachable, and health says so', async () => {
    // A client whose server is not there: every call fails until the intake deadline.
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    const config = { alertmanager: { token: TOKEN }, intakeTimeoutMs: 1_000, retryAfterSeconds: 7 };
    await withWebhookServer(
      config,
      async ({ url, logs }) => {
        const res = await postJson(
          `${url}/alerts/alertmanager`,
          amPayload([amAlert(uniqueService('down'))]),
          auth,
        );
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('7');
        expect(logs.join('\n')).toMatch(/Temporal did not accept/);
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        const ready = await fetch(`${url}/readyz`);
        expect(ready.status).toBe(503);
      },
      { connection },
    );
  });

  it('is ready when Temporal answers', async () => {
    await withWebhookServer({}, async ({ url }) => {
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ok: true });
      expect((await fetch(`${url}/nothing-here`)).status).toBe(404);
    });
  });
});
