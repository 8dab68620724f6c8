// Over 300 lines on purpose: one fuzz campaign against the webhook, its generators and its oracle
// read together (the generators live in fuzzing.ts).
import { connect } from 'node:net';
import { Agent, request } from 'node:http';
import { alertSchema, incidentWorkflowId } from '../../core/model/alert';
import { webhookConfigSchema } from '../../core/model/webhookConfig';
import { HttpError } from '../../triggers/http/errors';
import { alertmanagerSource } from '../../triggers/sources/alertmanager';
import { genericSource } from '../../triggers/sources/generic';
import { grafanaSource } from '../../triggers/sources/grafana';
import { pagerdutySource } from '../../triggers/sources/pagerduty';
import type { WebhookSource } from '../../triggers/sources/types';
import { mutate, Random, randomValue } from './fuzzing';
import { withWebhookServer, workflowExists, workflowsOnQueue } from './helpers';

const SEED = Number(process.env.HOMEOSTAT_FUZZ_SEED ?? 20261128);

const VALID: Record<string, unknown> = {
  alertmanager: {
    version: '4',
    status: 'firing',
    receiver: 'r',
    groupKey: 'g',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'HighErrorRate', service: 'fuzz-target', severity: 'critical' },
        annotations: { summary: 's' },
        startsAt: '2026-11-28T09:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint: 'abc',
      },
    ],
  },
  grafana: {
    status: 'resolved',
    alerts: [
      {
        status: 'resolved',
        labels: { alertname: 'Latency', job: 'fuzz-target' },
        annotations: {},
        startsAt: '2026-11-28T09:00:00Z',
        endsAt: '2026-11-28T09:10:00Z',
        fingerprint: 'def',
      },
    ],
  },
  pagerduty: {
    event: {
      id: 'E1',
      event_type: 'incident.triggered',
      resource_type: 'incident',
      occurred_at: new Date().toISOString(),
      data: {
        id: 'P1',
        title: 'Down',
        service: { summary: 'Fuzz Target' },
        urgency: 'high',
        priority: { summary: 'P2' },
      },
    },
  },
  generic: {
    alerts: [
      { service: 'fuzz-target', name: 'Backlog', startsAt: '2026-11-28T09:00:00Z', labels: { a: 'b' } },
    ],
  },
  cloudwatch: {
    Type: 'Notification',
    MessageId: 'm',
    TopicArn: 'arn:aws:sns:eu-west-1:123456789012:alarms',
    Message: JSON.stringify({
      AlarmName: 'fuzz-target-5xx',
      NewStateValue: 'ALARM',
      StateChangeTime: '2026-11-28T09:00:00.000+0000',
    }),
    Timestamp: '2026-11-28T09:00:00.000Z',
    SignatureVersion: '1',
    Signature: 'AAAA',
    SigningCertURL: 'http://127.0.0.1:9/SimpleNotificationService-x.pem',
  },
};

const ALERT_PATHS = [
  '/alerts/alertmanager',
  '/alerts/grafana',
  '/alerts/pagerduty',
  '/alerts/generic',
  '/alerts/cloudwatch',
];
const PATHS = [
  ...ALERT_PATHS,
  ...ALERT_PATHS,
  ...ALERT_PATHS,
  '/alerts/alertmanager',
  '/alerts/grafana',
  '/alerts/pagerduty',
  '/alerts/generic',
  '/alerts/cloudwatch',
  '/alerts/unknown',
  '/alerts/',
  '/alerts/alertmanager/extra',
  '/incidents',
  '/incidents/fuzz-target',
  '/incidents/incident%3Afuzz-target/approve',
  '/incidents/%E0%A4%A/abort',
  '/incidents/x/abort',
  '/healthz',
  '/readyz',
  '/metrics',
  '/',
  '//..//%00',
  '/incidents?limit=99999&status=%00',
];

function randomBody(r: Random): Buffer {
  const source = r.pick(Object.keys(VALID));
  switch (r.int(6)) {
    case 0:
      return r.bytes(r.int(512));
    case 1:
      return Buffer.from(JSON.stringify(randomValue(r)) ?? '');
    case 2:
      return Buffer.alloc(0);
    case 3:
      return Buffer.from(JSON.stringify(VALID[source]).slice(0, r.int(200)));
    case 4:
      return Buffer.alloc(9_000 + r.int(4_000), 0x7b); // over the 8 KiB limit
    default:
      return Buffer.from(JSON.stringify(mutate(r, VALID[source])) ?? 'null');
  }
}

function randomHeaders(r: Random): Record<string, string> {
  const headers: Record<string, string> = {};
  if (r.chance(0.8))
    headers['content-type'] = r.pick([
      'application/json',
      'text/plain',
      'application/json; charset=utf-8',
      'text/html',
      r.printable(20),
    ]);
  const add = (name: string, values: string[]): void => {
    if (r.chance(0.3)) headers[name] = r.pick(values);
  };
  add('authorization', [
    'Bearer ',
    'Bearer x',
    `Basic ${Buffer.from('a:b').toString('base64')}`,
    'Basic !!!',
    r.printable(40),
    'Bearer alertmanager-token-0123456789abcdeX',
  ]);
  add('x-pagerduty-signature', ['v1=', 'v1=00', `v1=${'a'.repeat(64)},v1=zz`, r.printable(80)]);
  add('x-grafana-alerting-signature', ['', 'ff'.repeat(32), r.printable(64)]);
  add('x-grafana-alerting-timestamp', [
    String(Math.floor(Date.now() / 1000)),
    '-1',
    '99999999999999999999',
    r.printable(10),
  ]);
  add('webhook-id', ['msg_1', r.printable(300), '']);
  add('webhook-timestamp', [String(Math.floor(Date.now() / 1000)), '0', '1e10', r.printable(5)]);
  add('webhook-signature', ['v1,', 'v1,AAAA v1,BBBB', 'v2,xyz', r.printable(100)]);
  add('idempotency-key', [r.printable(300)]);
  return headers;
}

async function send(
  agent: Agent,
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<number> {
  return await new Promise<number>((resolve) => {
    const req = request({ host: base.hostname, port: base.port, method, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    // A reset after a refused oversized body, or a mismatched Content-Length the client itself rejects,
    // is not a server failure: only statuses count.
    req.on('error', () => resolve(-1));
    // A request the server never answers is a failure (status 0), not a hung test.
    req.setTimeout(10_000, () => {
      req.destroy();
      resolve(0);
    });
    if (method !== 'GET' && method !== 'HEAD') req.end(body);
    else req.end();
  });
}

/** Malformed HTTP straight on the socket: Node's parser must answer 4xx (or close), never crash. */
async function sendRaw(base: URL, bytes: Buffer): Promise<string> {
  return await new Promise<string>((resolve) => {
    const socket = connect(Number(base.port), base.hostname, () => socket.end(bytes));
    let reply = '';
    socket.on('data', (d: Buffer) => (reply += d.toString('latin1')));
    socket.on('error', () => resolve(reply));
    socket.on('close', () => resolve(reply));
    socket.setTimeout(5_000, () => socket.destroy());
  });
}

describe('fuzzing', () => {
  it('3,000 malformed requests to every endpoint: no 5xx, no crash, no workflow started', async () => {
    const config = {
      bodyLimitBytes: 8192,
      operatorToken: 'operator-token-0123456789abcdef',
      alertmanager: { token: 'alertmanager-token-0123456789abcdef' },
      grafana: { secret: 'grafana-secret-0123456789abcdef', timestampHeader: 'X-Grafana-Alerting-Timestamp' },
      pagerduty: { secrets: ['pagerduty-secret-0123456789abcdef'] },
      generic: { secrets: [`whsec_${Buffer.from('generic-secret-0123456789abcdef').toString('base64')}`] },
      cloudwatch: { topicArns: ['arn:aws:sns:eu-west-1:123456789012:alarms'], certHosts: ['127.0.0.1'] },
    };
    await withWebhookServer(config, async ({ client, taskQueue, url, logs }) => {
      const r = new Random(SEED);
      const base = new URL(url);
      const agent = new Agent({ keepAlive: true, maxSockets: 16 });
      const statuses = new Map<number, number>();
      const failures: string[] = [];
      try {
        const cases = Array.from({ length: 3_000 }, () => ({
          method: r.chance(0.8) ? 'POST' : r.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']),
          path: r.chance(0.9) ? r.pick(PATHS) : `/${r.printable(30).replace(/[^\x21-\x7e]/g, '')}`,
          headers: randomHeaders(r),
          body: randomBody(r),
        }));
        for (let i = 0; i < cases.length; i += 32) {
          const batch = cases.slice(i, i + 32);
          const results = await Promise.all(
            batch.map((c) => send(agent, base, c.method, c.path, c.headers, c.body)),
          );
          results.forEach((status, j) => {
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (status >= 500 || status === 0) {
              const c = batch[j]!;
              failures.push(
                `${status} ${c.method} ${c.path} ${JSON.stringify(c.headers)} ${c.body.subarray(0, 200).toString('utf8')}`,
              );
            }
          });
        }
        for (let i = 0; i < 50; i++) {
          const reply = await sendRaw(
            base,
            r.chance(0.5)
              ? r.bytes(1 + r.int(300))
              : Buffer.from(`POST /alerts/generic HTTP/1.1\r\n${r.printable(50)}\r\n\r\n`),
          );
          if (/^HTTP\/1\.1 5/.test(reply)) failures.push(`raw: ${reply.slice(0, 100)}`);
        }
      } finally {
        agent.destroy();
      }
      expect({ seed: SEED, failures: failures.slice(0, 5) }).toEqual({ seed: SEED, failures: [] });
      expect(logs.filter((l) => /Error|at /.test(l))).toEqual([]);
      // Most requests were refused for auth or shape; a healthy mix of codes shows the fuzz reached the handlers.
      expect([...statuses.keys()].filter((s) => s >= 400 && s < 500).length).toBeGreaterThanOrEqual(5);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(await workflowsOnQueue(client, taskQueue)).toBe(0);
      // The valid payloads the mutations start from all name this service; its incident must not exist.
      expect(await workflowExists(client, incidentWorkflowId('fuzz-target'))).toBe(false);
    });
  });

  it('thousands of mutated payloads through each parser: a valid Alert or a 4xx HttpError, nothing else', async () => {
    const open = webhookConfigSchema.parse({
      alertmanager: { open: true },
      grafana: { open: true },
      pagerduty: { open: true },
      generic: { open: true },
    });
    const sources: WebhookSource[] = [
      alertmanagerSource(open.alertmanager),
      grafanaSource(open.grafana, 300),
      pagerdutySource(open.pagerduty),
      genericSource(open.generic, 300),
    ];
    const r = new Random(SEED + 1);
    const outcomes = { alerts: 0, refused: 0 };
    for (const source of sources) {
      for (let i = 0; i < 2_000; i++) {
        const payload = i === 0 ? VALID[source.name] : mutate(r, VALID[source.name]);
        const body = Buffer.from(JSON.stringify(payload) ?? 'null');
        try {
          const outcome = await source.receive({ headers: {}, body, now: new Date() });
          if (outcome.kind === 'alerts') for (const alert of outcome.alerts) alertSchema.parse(alert);
          outcomes.alerts++;
        } catch (err) {
          if (!(err instanceof HttpError) || err.status >= 500)
            throw new Error(
              `${source.name} (seed ${SEED}): ${String(err)} for ${body.toString('utf8').slice(0, 300)}`,
              { cause: err },
            );
          outcomes.refused++;
        }
      }
    }
    // Both kinds happen: mutations reach past the first check into the normalization.
    expect(outcomes.alerts).toBeGreaterThan(100);
    expect(outcomes.refused).toBeGreaterThan(100);
  });
});
