import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heartbeatEveryMs } from '../../activities/act';
import { actionTimeoutsFor } from '../../activities/deps';
import { ConfigError, loadConfig } from '../../core/model/config';
import { awsMaxActionSeconds } from '../../providers/aws';

/** The `aws` section: structured mapping from the JSON file, region and endpoint from the environment. */
describe('aws configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-aws-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const withFile = (aws: unknown, env: NodeJS.ProcessEnv = {}) => {
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ target: 'aws', aws }));
    return loadConfig({ HOMEOSTAT_CONFIG: file, ...env });
  };
  const tg = (name: string) =>
    `arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/${name}/73e2d6bc24d8a067`;
  const checkout = {
    cells: [
      { name: 'checkout-cell-a', cluster: 'prod', service: 'checkout-a', pool: 'checkout-a' },
      { name: 'checkout-cell-b', cluster: 'prod', service: 'checkout-b', pool: 'checkout-b' },
    ],
    traffic: {
      listenerArn:
        'arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/alb/50dc6c495c0c9188/f2f7dc8efc522ab2',
      targetGroups: { 'checkout-a': tg('checkout-a'), 'checkout-b': tg('checkout-b') },
    },
  };

  it('has working defaults without any aws settings', () => {
    const cfg = loadConfig({});
    expect(cfg.aws).toMatchObject({ maxAttempts: 5, retryMode: 'adaptive', services: {} });
    expect(cfg.aws.steadyState).toEqual({ pollSeconds: 15, timeoutSeconds: 1800 });
  });

  it('reads the service mapping from the file and region and endpoint from the environment', () => {
    const cfg = withFile(
      { region: 'eu-west-1', services: { checkout } },
      {
        AWS_REGION: 'us-east-2',
        HOMEOSTAT_AWS_ENDPOINT: 'http://127.0.0.1:5000',
        HOMEOSTAT_AWS_MAX_ATTEMPTS: '8',
      },
    );
    expect(cfg.aws.region).toBe('us-east-2');
    expect(cfg.aws.endpoint).toBe('http://127.0.0.1:5000');
    expect(cfg.aws.maxAttempts).toBe(8);
    const svc = cfg.aws.services.checkout!;
    expect(svc.cells.map((c) => c.name)).toEqual(['checkout-cell-a', 'checkout-cell-b']);
    expect(svc.scale).toEqual({ min: 1, max: 20 });
    expect(svc.metrics).toEqual({ latencyStat: 'p95', custom: [] });
  });

  it('names the key that is wrong', () => {
    expect(() => withFile({ services: { checkout: { ...checkout, cells: [] } } })).toThrow(
      /aws\.services\.checkout\.cells: a service needs at least one cell/,
    );
    expect(() =>
      withFile({
        services: { checkout: { ...checkout, cells: [{ ...checkout.cells[0], pool: 'checkout-z' }] } },
      }),
    ).toThrow(
      /aws\.services\.checkout\.cells\.0\.pool: pool checkout-z is not a key of traffic\.targetGroups/,
    );
    expect(() =>
      withFile({ services: { checkout: { ...checkout, cells: [checkout.cells[0], checkout.cells[0]] } } }),
    ).toThrow(/aws\.services\.checkout\.cells\.1\.name: duplicate cell checkout-cell-a/);
    expect(() => withFile({ services: { checkout: { ...checkout, scale: { min: 5, max: 2 } } } })).toThrow(
      /aws\.services\.checkout\.scale: scale.min must not exceed scale.max/,
    );
    expect(() => loadConfig({ HOMEOSTAT_AWS_ENDPOINT: 'not a url' })).toThrow(
      /HOMEOSTAT_AWS_ENDPOINT \(aws\.endpoint\)/,
    );
  });

  it('refuses a steady-state poll interval as long as its timeout, naming both settings', () => {
    const env = { HOMEOSTAT_AWS_STEADY_POLL_SECONDS: '60', HOMEOSTAT_AWS_STEADY_TIMEOUT_SECONDS: '60' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(
      /HOMEOSTAT_AWS_STEADY_POLL_SECONDS \(aws\.steadyState\.pollSeconds\): must be shorter than HOMEOSTAT_AWS_STEADY_TIMEOUT_SECONDS/,
    );
    expect(() => withFile({ steadyState: { pollSeconds: 120, timeoutSeconds: 30 } })).toThrow(
      /aws\.steadyState\.pollSeconds\): must be shorter than/,
    );
    expect(loadConfig({ ...env, HOMEOSTAT_AWS_STEADY_TIMEOUT_SECONDS: '61' }).aws.steadyState).toEqual({
      pollSeconds: 60,
      timeoutSeconds: 61,
    });
  });

  it('derives the action timeouts from the steady-state timeout: start-to-close outlasts the wait', () => {
    const cfg = loadConfig({ HOMEOSTAT_AWS_STEADY_TIMEOUT_SECONDS: '3600' });
    const limit = awsMaxActionSeconds(cfg.aws);
    expect(limit).toBeGreaterThan(3600);
    const timeouts = actionTimeoutsFor({ maxActionSeconds: limit });
    expect(timeouts.startToCloseSeconds).toBeGreaterThan(limit);
    // The default poll interval (15 s) is longer than the old 10 s heartbeat timeout; the ticker is not.
    expect(timeouts.heartbeatSeconds * 1000).toBeGreaterThan(
      3 * heartbeatEveryMs(timeouts.heartbeatSeconds * 1000),
    );
    expect(actionTimeoutsFor({ maxActionSeconds: awsMaxActionSeconds(loadConfig({}).aws) })).toEqual({
      startToCloseSeconds: 1800 + 120 + 60,
      heartbeatSeconds: 20,
    });
  });
});
