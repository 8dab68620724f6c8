import { execFileSync } from 'node:child_process';
import { randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { incidentWorkflowId } from '../../core/model/alert';
import { postJson, signalledBatches, uniqueService, withWebhookServer, workflowExists } from './helpers';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:homeostat-alarms';

/** A self-signed RSA certificate made with the openssl CLI, standing in for AWS's SNS signing certificate. */
function makeCertificate(): { certPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-sns-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=sns.test.local',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The canonical string AWS documents for SNS signatures ("Key\nValue\n" in this order, Subject if present). */
function canonical(m: Record<string, string>): string {
  const keys =
    m.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys
    .filter((k) => m[k] !== undefined)
    .map((k) => `${k}\n${m[k]}\n`)
    .join('');
}

function signed(m: Record<string, string>, keyPem: string, version: '1' | '2'): Record<string, string> {
  const signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(canonical(m)), keyPem).toString(
    'base64',
  );
  return { ...m, SignatureVersion: version, Signature: signature };
}

/** The local stand-in for AWS: serves the certificate and records subscription confirmations. */
async function startFakeAws(certPem: string): Promise<{ base: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/SimpleNotificationService-test.pem') return void res.end(certPem);
    if (req.url?.startsWith('/confirm')) return void res.end('<ConfirmSubscriptionResponse/>');
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

describe('CloudWatch alarms through an SNS subscription', () => {
  const { certPem, keyPem } = makeCertificate();

  it('confirms the subscription, accepts signed alarms (v1 and v2) and refuses tampered or foreign ones', async () => {
    const aws = await startFakeAws(certPem);
    try {
      const config = { cloudwatch: { topicArns: [TOPIC], certHosts: ['127.0.0.1'] } };
      await withWebhookServer(config, async ({ client, url }) => {
        const endpoint = `${url}/alerts/cloudwatch`;
        const post = (m: Record<string, string>) =>
          postJson(endpoint, JSON.stringify(m), { 'content-type': 'text/plain; charset=UTF-8' });
        const base = {
          MessageId: randomUUID(),
          TopicArn: TOPIC,
          Timestamp: new Date().toISOString(),
          SigningCertURL: `${aws.base}/SimpleNotificationService-test.pem`,
        };

        const confirmation = signed(
          {
            ...base,
            Type: 'SubscriptionConfirmation',
            Token: 'tok-123',
            Message: 'You have chosen to subscribe…',
            SubscribeURL: `${aws.base}/confirm?Token=tok-123`,
          },
          keyPem,
          '1',
        );
        const confirmed = await post(confirmation);
        expect(confirmed.status).toBe(200);
        expect(confirmed.json).toMatchObject({ confirmed: true });
        expect(aws.hits).toContain('/confirm?Token=tok-123');

        const service = uniqueService('orders');
        const alarm = {
          AlarmName: `${service}-5xx`,
          AlarmDescription: `5xx above 1% severity=critical`,
          AWSAccountId: '123456789012',
          NewStateValue: 'ALARM',
          NewStateReason: 'Threshold Crossed: 1 datapoint [3.2] was greater than the threshold (1.0).',
          StateChangeTime: '2026-11-28T09:30:00.123+0000',
          Region: 'EU (Ireland)',
          AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${service}-5xx`,
          OldStateValue: 'OK',
          Trigger: {
            MetricName: 'HTTPCode_Target_5XX_Count',
            Namespace: 'AWS/ApplicationELB',
            Dimensions: [{ name: 'ServiceName', value: service }],
          },
        };
        const notification = signed(
          {
            ...base,
            MessageId: randomUUID(),
            Type: 'Notification',
            Subject: `ALARM: "${service}-5xx"`,
            Message: JSON.stringify(alarm),
          },
          keyPem,
          '2',
        );

        // Tampered: the alarm says OK but the signature was made over ALARM.
        const tampered = { ...notification, Message: notification.Message!.replace('"ALARM"', '"OK"') };
        expect((await post(tampered)).status).toBe(401);
        // Unsigned.
        expect((await post({ ...notification, Signature: '' })).status).toBeGreaterThanOrEqual(400);
        // A certificate from a host that is not allowed is never even fetched.
        const hitsBefore = aws.hits.length;
        const foreignCert = await post({
          ...notification,
          SigningCertURL: 'http://localhost:1/SimpleNotificationService-x.pem',
        });
        expect(foreignCert.status).toBe(401);
        expect(aws.hits.length).toBe(hitsBefore);
        // Correctly signed, but from a topic not on the allow-list.
        const foreignTopic = signed(
          { ...notification, TopicArn: 'arn:aws:sns:eu-west-1:999999999999:other' },
          keyPem,
          '2',
        );
        expect((await post(foreignTopic)).status).toBe(401);
        expect(await workflowExists(client, incidentWorkflowId(service))).toBe(false);

        const ok = await post(notification);
        expect(ok.status).toBe(202);
        const [batch] = await signalledBatches(client, incidentWorkflowId(service));
        expect(batch!.deliveryId).toBe(notification.MessageId);
        expect(batch!.alerts[0]).toMatchObject({
          source: 'cloudwatch',
          service,
          name: `${service}-5xx`,
          severity: 'critical',
          status: 'firing',
          startsAt: '2026-11-28T09:30:00.123Z',
        });
        // The certificate was fetched once and cached for the later messages.
        expect(aws.hits.filter((h) => h.endsWith('.pem'))).toHaveLength(1);

        // The alarm returning to OK resolves it (SignatureVersion 1 this time).
        const okState = signed(
          {
            ...base,
            MessageId: randomUUID(),
            Type: 'Notification',
            Message: JSON.stringify({ ...alarm, NewStateValue: 'OK', OldStateValue: 'ALARM' }),
          },
          keyPem,
          '1',
        );
        expect((await post(okState)).status).toBe(202);
        const batches = await signalledBatches(client, incidentWorkflowId(service));
        expect(batches.map((b) => b.alerts[0]!.status)).toEqual(['firing', 'resolved']);
      });
    } finally {
      await new Promise((r) => aws.server.close(r));
    }
  });

  it('refuses everything while no topic is configured, and a SubscribeURL on a foreign host', async () => {
    const aws = await startFakeAws(certPem);
    try {
      await withWebhookServer({ cloudwatch: { certHosts: ['127.0.0.1'] } }, async ({ url }) => {
        const res = await postJson(`${url}/alerts/cloudwatch`, '{}', { 'content-type': 'text/plain' });
        expect(res.status).toBe(403);
        expect(res.json.message).toMatch(/HOMEOSTAT_SNS_TOPIC_ARNS/);
      });
      const config = { cloudwatch: { topicArns: [TOPIC], certHosts: ['127.0.0.1'] } };
      await withWebhookServer(config, async ({ url }) => {
        const confirmation = signed(
          {
            Type: 'SubscriptionConfirmation',
            MessageId: randomUUID(),
            TopicArn: TOPIC,
            Timestamp: new Date().toISOString(),
            Token: 't',
            Message: 'subscribe',
            SubscribeURL: 'https://evil.example.com/confirm',
            SigningCertURL: `${aws.base}/SimpleNotificationService-test.pem`,
          },
          keyPem,
          '2',
        );
        const res = await postJson(`${url}/alerts/cloudwatch`, JSON.stringify(confirmation), {
          'content-type': 'text/plain',
        });
        expect(res.status).toBe(400);
        expect(res.json.field).toBe('SubscribeURL');
      });
    } finally {
      await new Promise((r) => aws.server.close(r));
    }
  });
});
