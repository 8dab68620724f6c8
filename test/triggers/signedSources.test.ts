import { randomUUID } from 'node:crypto';
import { incidentWorkflowId } from '../../core/model/alert';
import { signGrafana } from '../../triggers/auth/grafanaSignature';
import { signPagerDuty } from '../../triggers/auth/pagerdutySignature';
import { signStandardWebhook } from '../../triggers/auth/standardWebhooks';
import {
  postJson,
  signalledBatches,
  uniqueService,
  withWebhookServer,
  workflowExists,
  workflowsOnQueueSettled,
} from './helpers';

const PD_SECRET = 'pagerduty-secret-0123456789abcdef';
const PD_OLD_SECRET = 'pagerduty-rotated-out-0123456789';
const GRAFANA_SECRET = 'grafana-secret-0123456789abcdef';
const GENERIC_SECRET = `whsec_${Buffer.from('generic-secret-0123456789abcdef').toString('base64')}`;
const GENERIC_NEXT_SECRET = `whsec_${Buffer.from('generic-next-secret-0123456789ab').toString('base64')}`;

const config = {
  pagerduty: { secrets: [PD_SECRET] },
  grafana: { secret: GRAFANA_SECRET, timestampHeader: 'X-Grafana-Alerting-Timestamp' },
  generic: { secrets: [GENERIC_SECRET, GENERIC_NEXT_SECRET] },
};

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function pagerdutyEvent(
  serviceName: string,
  eventType = 'incident.triggered',
  occurredAt = new Date(),
): string {
  return JSON.stringify({
    event: {
      id: `01${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`,
      event_type: eventType,
      resource_type: 'incident',
      occurred_at: occurredAt.toISOString(),
      agent: null,
      data: {
        id: 'PGR0VU2',
        type: 'incident',
        title: 'Checkout error rate above 5%',
        status: 'triggered',
        created_at: new Date(Date.now() - 30_000).toISOString(),
        urgency: 'high',
        html_url: 'https://acme.pagerduty.com/incidents/PGR0VU2',
        service: { id: 'PF9KMXH', summary: serviceName, type: 'service_reference' },
        priority: { id: 'P1ID', summary: 'P1' },
      },
    },
  });
}

function grafanaPayload(service: string): string {
  return JSON.stringify({
    receiver: 'homeostat',
    status: 'firing',
    orgId: 1,
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'LatencyHigh', service, severity: 'warning' },
        annotations: { summary: 'p99 above 2 s' },
        startsAt: new Date(Date.now() - 120_000).toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'https://grafana.example/alerting/grafana/abc/view',
        fingerprint: 'a1b2c3d4e5f60718',
        silenceURL: 'https://grafana.example/alerting/silence/new',
        values: { B: 2.4 },
      },
    ],
    groupLabels: { alertname: 'LatencyHigh' },
    commonLabels: {},
    externalURL: 'https://grafana.example/',
    version: '1',
    groupKey: '{}:{alertname="LatencyHigh"}',
    truncatedAlerts: 0,
    title: '[FIRING:1] LatencyHigh',
    state: 'alerting',
    message: '…',
  });
}

function genericPayload(service: string): string {
  return JSON.stringify({
    alerts: [
      {
        service,
        name: 'QueueBacklog',
        severity: 'high',
        startsAt: new Date(Date.now() - 10_000).toISOString(),
        labels: { queue: 'orders' },
      },
    ],
  });
}

function standardHeaders(secret: string, body: string, id = `msg_${randomUUID()}`, ts = nowSeconds()) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signStandardWebhook(secret, id, ts, body),
  };
}

// The signers used here are checked against vendor-published examples in vendorSignatures.test.ts.
describe('signed alert sources', () => {
  it('PagerDuty: a v1 signature starts the incident; a missing, wrong or stale one starts nothing', async () => {
    await withWebhookServer(config, async ({ client, taskQueue, url }) => {
      const endpoint = `${url}/alerts/pagerduty`;
      const service = uniqueService('pd checkout');
      const body = pagerdutyEvent(service.toUpperCase());

      expect((await postJson(endpoint, body)).status).toBe(401);
      expect(
        (await postJson(endpoint, body, { 'x-pagerduty-signature': signPagerDuty(PD_OLD_SECRET, body) }))
          .status,
      ).toBe(401);
      expect(
        (
          await postJson(endpoint, body.replace('P1', 'P4'), {
            'x-pagerduty-signature': signPagerDuty(PD_SECRET, body),
          })
        ).status,
      ).toBe(401);
      const stale = pagerdutyEvent(service, 'incident.triggered', new Date(Date.now() - 2 * 3600_000));
      const staleRes = await postJson(endpoint, stale, {
        'x-pagerduty-signature': signPagerDuty(PD_SECRET, stale),
      });
      expect(staleRes.status).toBe(401);
      expect(staleRes.json.message).toMatch(/occurred_at/);
      expect(await workflowExists(client, incidentWorkflowId(service.replace(' ', '-')))).toBe(false);
      expect(await workflowsOnQueueSettled(client, taskQueue)).toEqual([]);

      // Several signatures are listed while PagerDuty rotates secrets: one valid is enough.
      const signatures = `${signPagerDuty(PD_OLD_SECRET, body)},${signPagerDuty(PD_SECRET, body)}`;
      const ok = await postJson(endpoint, body, { 'x-pagerduty-signature': signatures });
      expect(ok.status).toBe(202);
      const slug = service.replace(' ', '-');
      expect(ok.json.incidents).toEqual([
        expect.objectContaining({ id: incidentWorkflowId(slug), result: 'signalled' }),
      ]);
      const [batch] = await signalledBatches(client, incidentWorkflowId(slug));
      expect(batch!.alerts[0]).toMatchObject({
        source: 'pagerduty',
        service: slug,
        severity: 'critical',
        status: 'firing',
      });

      // A replay of the same event (same event id) is answered as a duplicate and signals nothing.
      const replay = await postJson(endpoint, body, { 'x-pagerduty-signature': signatures });
      expect(replay.status).toBe(202);
      expect(replay.json.duplicate).toBe(true);
      expect(await signalledBatches(client, incidentWorkflowId(slug))).toHaveLength(1);
    });
  });

  it('Grafana: HMAC over "timestamp:body" is accepted; a wrong, missing or old signature is refused', async () => {
    await withWebhookServer(config, async ({ client, taskQueue, url }) => {
      const endpoint = `${url}/alerts/grafana`;
      const service = uniqueService('grafana');
      const body = grafanaPayload(service);
      const ts = String(nowSeconds());

      expect((await postJson(endpoint, body)).status).toBe(401);
      expect(
        (
          await postJson(endpoint, body, {
            'x-grafana-alerting-signature': signGrafana(GRAFANA_SECRET, body, ts),
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await postJson(endpoint, body, {
            'x-grafana-alerting-signature': signGrafana('not-the-secret-0123456789', body, ts),
            'x-grafana-alerting-timestamp': ts,
          })
        ).status,
      ).toBe(401);
      const old = String(nowSeconds() - 600);
      expect(
        (
          await postJson(endpoint, body, {
            'x-grafana-alerting-signature': signGrafana(GRAFANA_SECRET, body, old),
            'x-grafana-alerting-timestamp': old,
          })
        ).status,
      ).toBe(401);
      expect(await workflowExists(client, incidentWorkflowId(service))).toBe(false);
      expect(await workflowsOnQueueSettled(client, taskQueue)).toEqual([]);

      const ok = await postJson(endpoint, body, {
        'x-grafana-alerting-signature': signGrafana(GRAFANA_SECRET, body, ts),
        'x-grafana-alerting-timestamp': ts,
      });
      expect(ok.status).toBe(202);
      const [batch] = await signalledBatches(client, incidentWorkflowId(service));
      expect(batch!.alerts).toEqual([
        expect.objectContaining({
          source: 'grafana',
          service,
          name: 'LatencyHigh',
          severity: 'warning',
          fingerprint: 'a1b2c3d4e5f60718',
        }),
      ]);
      expect(batch!.alerts[0]!.endsAt).toBeUndefined();
    });
  });

  it('generic: Standard Webhooks signatures with rotated keys; bad, missing, old or replayed deliveries start nothing new', async () => {
    await withWebhookServer(config, async ({ client, taskQueue, url }) => {
      const endpoint = `${url}/alerts/generic`;
      const service = uniqueService('generic');
      const body = genericPayload(service);
      const other = `whsec_${Buffer.from('someone-else-secret-0123456789ab').toString('base64')}`;

      expect((await postJson(endpoint, body)).status).toBe(401);
      expect((await postJson(endpoint, body, standardHeaders(other, body))).status).toBe(401);
      const tampered = standardHeaders(GENERIC_SECRET, body);
      expect((await postJson(endpoint, body.replace('high', 'info'), tampered)).status).toBe(401);
      const old = standardHeaders(GENERIC_SECRET, body, 'msg_old', nowSeconds() - 301);
      expect((await postJson(endpoint, body, old)).status).toBe(401);
      expect(await workflowExists(client, incidentWorkflowId(service))).toBe(false);
      expect(await workflowsOnQueueSettled(client, taskQueue)).toEqual([]);

      // The newer key, and a header listing a wrong signature before the right one.
      const headers = standardHeaders(GENERIC_NEXT_SECRET, body);
      headers['webhook-signature'] =
        `v1,${Buffer.alloc(32).toString('base64')} ${headers['webhook-signature']}`;
      const ok = await postJson(endpoint, body, headers);
      expect(ok.status).toBe(202);
      expect(ok.json).toMatchObject({ accepted: 1, duplicate: false });

      // The same webhook-id again within the window is a duplicate: answered 202, signalled once.
      const replay = await postJson(endpoint, body, headers);
      expect(replay.status).toBe(202);
      expect(replay.json).toMatchObject({ duplicate: true, incidents: ok.json.incidents });
      const batches = await signalledBatches(client, incidentWorkflowId(service));
      expect(batches).toHaveLength(1);
      expect(batches[0]!.deliveryId).toBe(headers['webhook-id']);
      expect(batches[0]!.alerts[0]).toMatchObject({
        source: 'generic',
        service,
        severity: 'high',
        labels: { queue: 'orders' },
      });
    });
  });
});
