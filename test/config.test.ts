import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../core/model/config';

describe('loadConfig', () => {
  it('gives the embedded defaults with an empty environment', () => {
    const cfg = loadConfig({});
    expect(cfg.temporal.address).toBeUndefined();
    expect(cfg.temporal.namespace).toBe('default');
    expect(cfg.embedded).toEqual({ stateDir: '.state', ip: '127.0.0.1', port: 7233, uiPort: 8233, ui: true });
    expect(cfg.worker.taskQueue).toBe('homeostat');
  });

  it('reads ports and switches from the environment', () => {
    const cfg = loadConfig({
      HOMEOSTAT_TEMPORAL_PORT: '17233',
      HOMEOSTAT_UI_PORT: '18233',
      HOMEOSTAT_UI: 'false',
    });
    expect(cfg.embedded.port).toBe(17233);
    expect(cfg.embedded.uiPort).toBe(18233);
    expect(cfg.embedded.ui).toBe(false);
  });

  it('names the environment variable that is wrong', () => {
    expect(() => loadConfig({ HOMEOSTAT_TEMPORAL_PORT: 'seventy' })).toThrow(/HOMEOSTAT_TEMPORAL_PORT/);
    expect(() => loadConfig({ HOMEOSTAT_UI_PORT: '70000' })).toThrow(/HOMEOSTAT_UI_PORT/);
    expect(() => loadConfig({ TEMPORAL_ADDRESS: 'https://x.example.com' })).toThrow(
      /TEMPORAL_ADDRESS.*host:port/s,
    );
  });

  it('reads the safety limits, with defaults, and refuses a limit of zero', () => {
    expect(loadConfig({}).safety).toMatchObject({ maxActionsPerServicePerHour: 6, breakerFailures: 2 });
    const cfg = loadConfig({
      HOMEOSTAT_MAX_CONCURRENT_SERVICES: '1',
      HOMEOSTAT_BREAKER_WINDOW_SECONDS: '7200',
    });
    expect(cfg.safety).toMatchObject({
      maxConcurrentServices: 1,
      breakerWindowSeconds: 7200,
      maxActionsPerHour: 30,
    });
    expect(() => loadConfig({ HOMEOSTAT_MAX_ACTIONS_PER_HOUR: '0' })).toThrow(
      /HOMEOSTAT_MAX_ACTIONS_PER_HOUR/,
    );
  });

  it('names the list variable for a bad item of a list', () => {
    expect(() =>
      loadConfig({ HOMEOSTAT_GENERIC_SECRETS: 'whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=,nope' }),
    ).toThrow(/HOMEOSTAT_GENERIC_SECRETS \(webhook\.generic\.secrets\.1\)/);
  });

  it('rejects a client certificate without its key', () => {
    const err = (() => {
      try {
        loadConfig({
          TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233',
          TEMPORAL_TLS_CLIENT_CERT_PATH: '/tmp/client.pem',
        });
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/TEMPORAL_TLS_CLIENT_KEY_PATH/);
  });

  it('refuses TLS or an API key without an external address', () => {
    expect(() => loadConfig({ TEMPORAL_API_KEY: 'secret' })).toThrow(/TEMPORAL_ADDRESS/);
  });

  it('refuses the same port for gRPC and the UI', () => {
    expect(() => loadConfig({ HOMEOSTAT_TEMPORAL_PORT: '9000', HOMEOSTAT_UI_PORT: '9000' })).toThrow(
      /HOMEOSTAT_UI_PORT.*must differ/,
    );
  });

  it('reads an optional JSON file, with the environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'homeostat-config-'));
    const file = join(dir, 'homeostat.json');
    writeFileSync(
      file,
      JSON.stringify({ temporal: { namespace: 'prod' }, worker: { taskQueue: 'from-file' } }),
    );
    const cfg = loadConfig({ HOMEOSTAT_CONFIG: file, HOMEOSTAT_TASK_QUEUE: 'from-env' });
    expect(cfg.temporal.namespace).toBe('prod');
    expect(cfg.worker.taskQueue).toBe('from-env');
    writeFileSync(file, '{ not json');
    expect(() => loadConfig({ HOMEOSTAT_CONFIG: file })).toThrow(/HOMEOSTAT_CONFIG=.*JSON/);
  });
});
