import { awsConfigSchema } from '../../core/model/awsConfig';
import {
  createAwsClients,
  createAwsProviders,
  destroyAwsClients,
  type AwsClients,
} from '../../providers/aws';
import { ProviderError, type Providers } from '../../providers/types';
import { freePort } from '../../workers/ports';
import { startMoto, type MotoServer } from './motoServer';
import { CELLS, seed, type Seeded } from './seed';
import { startThrottlingProxy, type ThrottlingProxy } from './throttlingProxy';

/** How AWS failures reach the activity: non-retryable with the API's message, or retryable. */
describe('AWS provider errors (moto)', () => {
  let moto: MotoServer;
  let seeded: Seeded;
  let proxy: ThrottlingProxy;
  const opened: AwsClients[] = [];

  beforeAll(async () => {
    moto = await startMoto();
    seeded = await seed(moto);
    proxy = await startThrottlingProxy(moto.endpoint);
  });

  afterAll(async () => {
    opened.forEach(destroyAwsClients);
    await proxy?.stop();
    await moto?.stop();
  });

  function providersFor(overrides: Record<string, unknown>): Providers {
    const config = awsConfigSchema.parse({ ...seeded.config, ...overrides });
    const clients = createAwsClients(config, { credentials: moto.credentials });
    opened.push(clients);
    return createAwsProviders(config, clients);
  }

  async function failure(promise: Promise<unknown>): Promise<ProviderError> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }

  it('an unknown cluster fails fast, not retryable, with the API’s message', async () => {
    const providers = providersFor({
      endpoint: proxy.endpoint,
      services: { checkout: { cells: [{ ...CELLS[0], pool: undefined, cluster: 'no-such-cluster' }] } },
    });
    const before = proxy.forwarded();
    const err = await failure(providers.remediation.describe('checkout'));
    expect(err).toMatchObject({ retryable: false, code: 'ClusterNotFoundException' });
    expect(err.message).toMatch(/^DescribeServices no-such-cluster: Cluster not found/);
    // Fast means no retry: exactly one request reached AWS (counted, not timed).
    expect(proxy.forwarded() - before).toBe(1);
  });

  it('an unknown ECS service in a known cluster fails, not retryable', async () => {
    const providers = providersFor({
      services: { checkout: { cells: [{ ...CELLS[0], pool: undefined, service: 'no-such-service' }] } },
    });
    const err = await failure(providers.deploys.deployments('checkout', new Date(0)));
    expect(err).toMatchObject({ retryable: false, code: 'ServiceNotFoundException' });
    expect(err.message).toMatch(
      /no-such-service of cell checkout-cell-a not found in cluster prod \(MISSING\)/,
    );
  });

  it('an unknown task definition fails, not retryable, before anything changes', async () => {
    const providers = providersFor({});
    const err = await failure(
      providers.remediation.setRelease({ actionId: 'bad', service: 'checkout', release: 'checkout:99' }),
    );
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^DescribeTaskDefinition checkout:99: /);
    const topology = await providers.remediation.describe('checkout');
    expect(topology.targets.map((t) => t.release)).toEqual([seeded.v2, seeded.v2]);
  });

  it('an unmapped Homeostat service or cell is a non-retryable configuration error', async () => {
    const providers = providersFor({});
    await expect(failure(providers.remediation.describe('payments'))).resolves.toMatchObject({
      retryable: false,
      code: 'UnknownService',
    });
    await expect(
      failure(
        providers.remediation.restart({ actionId: 'r', service: 'checkout', targets: ['checkout-cell-z'] }),
      ),
    ).resolves.toMatchObject({ retryable: false, code: 'UnknownTarget' });
  });

  it('an endpoint that does not answer is retried by the SDK, then reported as retryable', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const providers = providersFor({ endpoint: closed, maxAttempts: 2 });
    const err = await failure(providers.remediation.describe('checkout'));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED|connect/i);
    // The SDK made both attempts before giving up (its retry strategy, not ours).
    expect((err.cause as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(2);
  });

  it('throttling is retried with backoff by the SDK and succeeds when it passes', async () => {
    const providers = providersFor({ endpoint: proxy.endpoint, maxAttempts: 3 });
    proxy.throttleNext(2);
    const history = await providers.deploys.deployments('checkout', new Date(Date.now() - 3600_000));
    expect(history[0]?.release).toBe(seeded.v2);
    expect(proxy.throttled()).toBe(2);
  });

  it('throttling that outlasts the SDK attempts is reported as retryable', async () => {
    const providers = providersFor({ endpoint: proxy.endpoint, maxAttempts: 2 });
    proxy.throttleNext(2);
    const err = await failure(providers.deploys.deployments('checkout', new Date(0)));
    expect(err).toMatchObject({ retryable: true, code: 'ThrottlingException' });
    expect(err.message).toBe('DescribeServices prod: Rate exceeded');
  });
});
