import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../core/model/config';

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
});
