import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionOptions } from '../../client/connection';
import { loadConfig } from '../../core/model/config';
import { signGrafana } from '../../triggers/auth/grafanaSignature';
import { alertmanagerSource } from '../../triggers/sources/alertmanager';
import { cloudwatchSource } from '../../triggers/sources/cloudwatch';
import { genericSource } from '../../triggers/sources/generic';
import { grafanaSource } from '../../triggers/sources/grafana';
import { pagerdutySource } from '../../triggers/sources/pagerduty';

/**
 * Settings whose behaviour no other test reached, each read through loadConfig from its environment
 * variable and then used by the code that acts on it, on a clock the test sets.
 */
const NOW = new Date('2026-12-01T10:00:00Z');
const SECRET = 'a-long-enough-grafana-secret';

const grafanaBody = Buffer.from(
  JSON.stringify({
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'HighErrorRate', service: 'checkout' },
        annotations: {},
        startsAt: '2026-12-01T09:58:00Z',
        fingerprint: 'a1b2c3d4',
      },
    ],
  }),
);

describe('Grafana signing settings', () => {
  const config = loadConfig({
    HOMEOSTAT_GRAFANA_SECRET: SECRET,
    HOMEOSTAT_GRAFANA_SIGNATURE_HEADER: 'X-Acme-Signature',
    HOMEOSTAT_GRAFANA_TIMESTAMP_HEADER: 'X-Acme-Timestamp',
    HOMEOSTAT_WEBHOOK_REPLAY_WINDOW_SECONDS: '60',
  }).webhook;
  // The server hands the replay window to the signed sources as their timestamp tolerance.
  const source = grafanaSource(config.grafana, config.replayWindowSeconds);
  const signedAt = (at: Date, header = 'x-acme-signature') => {
    const timestamp = String(Math.floor(at.getTime() / 1000));
    return { [header]: signGrafana(SECRET, grafanaBody, timestamp), 'x-acme-timestamp': timestamp };
  };

  it('reads the signature from the configured header, not the default one', async () => {
    const ok = await source.receive({ headers: signedAt(NOW), body: grafanaBody, now: NOW });
    expect(ok).toMatchObject({ kind: 'alerts', alerts: [{ service: 'checkout' }] });
    const defaultHeader = signedAt(NOW, 'x-grafana-alerting-signature');
    await expect(
      source.receive({ headers: defaultHeader, body: grafanaBody, now: NOW }),
    ).rejects.toMatchObject({
      status: 401,
      message: 'missing X-Acme-Signature header',
    });
  });

  it('accepts a timestamp within the replay window and refuses one outside it', async () => {
    const edge = new Date(NOW.getTime() - 60_000);
    await expect(
      source.receive({ headers: signedAt(edge), body: grafanaBody, now: NOW }),
    ).resolves.toMatchObject({
      kind: 'alerts',
    });
    const stale = new Date(NOW.getTime() - 61_000);
    await expect(
      source.receive({ headers: signedAt(stale), body: grafanaBody, now: NOW }),
    ).rejects.toMatchObject({
      status: 401,
      message: 'X-Acme-Timestamp is more than 60 s away from now',
    });
  });
});

describe('PagerDuty maximum event age', () => {
  const config = loadConfig({
    HOMEOSTAT_PAGERDUTY_OPEN: 'true',
    HOMEOSTAT_PAGERDUTY_MAX_EVENT_AGE_SECONDS: '120',
  }).webhook;
  const source = pagerdutySource(config.pagerduty);
  const event = (occurredAt: Date): Buffer =>
    Buffer.from(
      JSON.stringify({
        event: {
          id: '01ABCDEF',
          event_type: 'incident.triggered',
          resource_type: 'incident',
          occurred_at: occurredAt.toISOString(),
          data: {
            id: 'PGR0VU2',
            type: 'incident',
            title: 'Checkout errors',
            service: { summary: 'checkout' },
          },
        },
      }),
    );

  it('takes an event up to the configured age and refuses an older one', async () => {
    const edge = event(new Date(NOW.getTime() - 120_000));
    await expect(source.receive({ headers: {}, body: edge, now: NOW })).resolves.toMatchObject({
      kind: 'alerts',
      alerts: [{ service: 'checkout' }],
    });
    const old = event(new Date(NOW.getTime() - 121_000));
    await expect(source.receive({ headers: {}, body: old, now: NOW })).rejects.toMatchObject({
      status: 401,
      message: 'event.occurred_at is older than 120 s',
    });
  });
});

describe('Temporal TLS server settings', () => {
  it('passes the server name and the CA certificate to the connection, and implies TLS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'homeostat-ca-'));
    try {
      const ca = join(dir, 'ca.pem');
      writeFileSync(ca, 'not parsed here: the SDK reads the bytes');
      const config = loadConfig({
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        TEMPORAL_NAMESPACE: 'prod',
        TEMPORAL_TLS_SERVER_NAME: 'temporal.acme.internal',
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      });
      expect(config.temporal.namespace).toBe('prod');
      const options = connectionOptions(config, config.temporal.address!);
      expect(options.address).toBe('temporal.internal:7233');
      expect(options.tls).toMatchObject({ serverNameOverride: 'temporal.acme.internal' });
      expect(String((options.tls as { serverRootCACertificate?: Buffer }).serverRootCACertificate)).toBe(
        'not parsed here: the SDK reads the bytes',
      );
      expect(connectionOptions(loadConfig({ TEMPORAL_ADDRESS: 'x:7233' }), 'x:7233').tls).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('settings read from the environment into the paths the code uses', () => {
  it('reads the embedded server address, the webhook host and timeouts, and the fleet size', () => {
    const config = loadConfig({
      HOMEOSTAT_TEMPORAL_IP: '0.0.0.0',
      HOMEOSTAT_WEBHOOK_HOST: '0.0.0.0',
      HOMEOSTAT_WEBHOOK_INTAKE_TIMEOUT_MS: '2500',
      HOMEOSTAT_OPERATOR_TIMEOUT_MS: '3500',
      HOMEOSTAT_FLEET_REPLICAS: '5',
      HOMEOSTAT_SNS_CERT_HOSTS: 'sns.*.example.com',
    });
    expect(config.embedded.ip).toBe('0.0.0.0');
    expect(config.webhook).toMatchObject({ host: '0.0.0.0', intakeTimeoutMs: 2500, operatorTimeoutMs: 3500 });
    expect(config.webhook.cloudwatch.certHosts).toEqual(['sns.*.example.com']);
    expect(config.fleet.replicasPerService).toBe(5);
    expect(() => loadConfig({ HOMEOSTAT_FLEET_REPLICAS: '13' })).toThrow(/HOMEOSTAT_FLEET_REPLICAS/);
  });
});

describe('each source opened by its own switch', () => {
  const sources = (env: NodeJS.ProcessEnv) => {
    const w = loadConfig(env).webhook;
    return {
      alertmanager: alertmanagerSource(w.alertmanager).auth,
      grafana: grafanaSource(w.grafana, w.replayWindowSeconds).auth,
      pagerduty: pagerdutySource(w.pagerduty).auth,
      generic: genericSource(w.generic, w.replayWindowSeconds).auth,
      cloudwatch: cloudwatchSource(w.cloudwatch).auth,
    };
  };

  it('fails closed by default, opens only the source named, and a secret wins over open', () => {
    expect(new Set(Object.values(sources({})))).toEqual(new Set(['unconfigured']));
    for (const [name, variable] of [
      ['alertmanager', 'HOMEOSTAT_ALERTMANAGER_OPEN'],
      ['grafana', 'HOMEOSTAT_GRAFANA_OPEN'],
      ['pagerduty', 'HOMEOSTAT_PAGERDUTY_OPEN'],
      ['generic', 'HOMEOSTAT_GENERIC_OPEN'],
      ['cloudwatch', 'HOMEOSTAT_SNS_OPEN'],
    ] as const) {
      const auth = sources({ [variable]: 'true' });
      expect(Object.entries(auth).filter(([, mode]) => mode === 'open')).toEqual([[name, 'open']]);
    }
    expect(sources({ HOMEOSTAT_GRAFANA_OPEN: 'true', HOMEOSTAT_GRAFANA_SECRET: SECRET }).grafana).toBe(
      'secured',
    );
  });
});
