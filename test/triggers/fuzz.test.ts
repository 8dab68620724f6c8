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
import { postJson, withWebhookServer, workflowExists, workflowsOnQueueSettled } from './helpers';

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
      return Buffer.alloc(9_000 + r.int(4_000), 0x7b); // over the 8 KiB limit (floods: see below)
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

/** What one request got: the status of a complete response, or how the connection failed instead. */
type Answer = { status: number } | { error: string };

async function send(
  agent: Agent,
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  chunked = false,
): Promise<Answer> {
  return await new Promise<Answer>((resolve) => {
    const req = request({ host: base.hostname, port: base.port, method, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    // A reset, a hang-up or a broken pipe before the whole response arrived is a failure: the server must
    // answer every request, malformed or oversized, with a status (the first settlement wins, so a reset
    // after a complete 4xx is not counted).
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    // Not a speed limit: only a request the server never answers at all reaches this (its own request
    // timeout is 30 s), and it fails as a hang instead of holding the test until jest's timeout.
    req.setTimeout(60_000, () => {
      resolve({ error: 'no answer' });
      req.destroy();
    });
    if (method === 'GET' || method === 'HEAD') req.end();
    else if (chunked) {
      // Written in two parts with no Content-Length: sent chunked, so only the byte count while
      // streaming can tell its size.
      req.write(body.subarray(0, body.length >> 1));
      req.end(body.subarray(body.length >> 1));
    } else req.end(body);
  });
}

/**
 * Malformed HTTP straight on the socket: Node's parser must answer with a 4xx status line before it closes
 * (never a 5xx, a crash, or a connection closed or reset with no answer). Returns what the server sent.
 */
async function sendRaw(base: URL, bytes: Buffer): Promise<{ reply: string; error?: string }> {
  return await new Promise((resolve) => {
    const socket = connect(Number(base.port), base.hostname, () => socket.end(bytes));
    let reply = '';
    let error: string | undefined;
    socket.on('data', (d: Buffer) => (reply += d.toString('latin1')));
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => resolve({ reply, ...(error ? { error } : {}) }));
    // A hang detector, not a speed limit (the server has the request and the end of the stream at once).
    socket.setTimeout(60_000, () => {
      error = 'no answer';
      socket.destroy();
    });
  });
}

describe('fuzzing', () => {
  it('3,000 malformed requests to every endpoint: each answered with a status, never a 5xx or a dropped connection; no workflow started', async () => {
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
      // Keep-alive, so a refused body left unread would break the next request on the connection. The
      // client drops an idle connection after 1 s, before the server's 5 s keep-alive timeout: a reset
      // is then always the server's doing, never the race of reusing a connection the server is closing.
      const agent = new Agent({ keepAlive: true, maxSockets: 16, timeout: 1_000 });
      const statuses = new Map<number, number>();
      const failures: string[] = [];
      try {
        const cases = Array.from({ length: 3_000 }, () => {
          const method = r.chance(0.8)
            ? 'POST'
            : r.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
          return {
            method,
            path: r.chance(0.9) ? r.pick(PATHS) : `/${r.printable(30).replace(/[^\x21-\x7e]/g, '')}`,
            headers: randomHeaders(r),
            body: randomBody(r),
            // Node sends chunked only for methods that carry a body by default.
            chunked: ['POST', 'PUT', 'PATCH'].includes(method) && r.chance(0.3),
          };
        });
        for (let i = 0; i < cases.length; i += 32) {
          const batch = cases.slice(i, i + 32);
          const results = await Promise.all(
            batch.map((c) => send(agent, base, c.method, c.path, c.headers, c.body, c.chunked)),
          );
          results.forEach((answer, j) => {
            const c = batch[j]!;
            const what = `${c.method} ${c.path} ${JSON.stringify(c.headers)} ${c.body.length} bytes${c.chunked ? ' chunked' : ''}: ${c.body.subarray(0, 200).toString('utf8')}`;
            if ('error' in answer) return void failures.push(`connection ${answer.error}: ${what}`);
            const { status } = answer;
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (status >= 500 || status < 100) failures.push(`${status} ${what}`);
            // No request carries a valid credential, so no delivery may be accepted (202 = handed to Temporal).
            if (c.path.startsWith('/alerts/') && status < 300) failures.push(`accepted ${status} ${what}`);
          });
        }
        // Oversized bodies every way they arrive, at endpoints that read them (alerts: 8 KiB, operator:
        // 64 KiB): declared or chunked, an overshoot the server reads and drops, or a flood past what it
        // drains (4 × limit + 1 MiB). Each must be answered 413, never cut off unanswered.
        const operatorAuth = { authorization: `Bearer ${config.operatorToken}` };
        for (const [path, headers] of [
          ['/alerts/alertmanager', { 'content-type': 'application/json' }],
          ['/alerts/cloudwatch', { 'content-type': 'text/plain' }],
          ['/incidents/fuzz-target/approve', { 'content-type': 'application/json', ...operatorAuth }],
        ] as const)
          for (const size of [70_000, 1_500_000])
            for (const chunked of [false, true]) {
              const answer = await send(
                agent,
                base,
                'POST',
                path,
                headers,
                Buffer.alloc(size, 0x7b),
                chunked,
              );
              if (!('status' in answer) || answer.status !== 413)
                failures.push(
                  `oversized ${size} bytes${chunked ? ' chunked' : ''} to ${path}: ${JSON.stringify(answer)}`,
                );
            }
        for (let i = 0; i < 50; i++) {
          const bytes = r.chance(0.5)
            ? r.bytes(1 + r.int(300))
            : Buffer.from(`POST /alerts/generic HTTP/1.1\r\n${r.printable(50)}\r\n\r\n`);
          const { reply, error } = await sendRaw(base, bytes);
          if (!/^HTTP\/1\.1 4\d\d /.test(reply))
            failures.push(
              `raw ${JSON.stringify(bytes.toString('latin1').slice(0, 80))}: ${error ?? 'closed'} after ${JSON.stringify(reply.slice(0, 100))}`,
            );
        }
      } finally {
        agent.destroy();
      }
      expect({ seed: SEED, failures: failures.slice(0, 5) }).toEqual({ seed: SEED, failures: [] });
      expect(logs.filter((l) => /Error|at /.test(l))).toEqual([]);
      // Most requests were refused for auth or shape; a healthy mix of codes shows the fuzz reached the handlers.
      expect([...statuses.keys()].filter((s) => s >= 400 && s < 500).length).toBeGreaterThanOrEqual(5);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      // Visibility read only once it lists a control workflow started now (a bare count of 0 could be lag).
      expect(await workflowsOnQueueSettled(client, taskQueue)).toEqual([]);
      // The valid payloads the mutations start from all name this service; its incident must not exist.
      const target = incidentWorkflowId('fuzz-target');
      expect(await workflowExists(client, target)).toBe(false);
      // And that is the id they start once authenticated, so the check above could fail.
      const authorized = { authorization: `Bearer ${config.alertmanager.token}` };
      const accepted = await postJson(`${url}/alerts/alertmanager`, VALID.alertmanager, authorized);
      expect(accepted.json.incidents).toEqual([expect.objectContaining({ id: target, result: 'signalled' })]);
      expect(await workflowExists(client, target)).toBe(true);
      await client.workflow.getHandle(target).terminate('fuzz test done');
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
