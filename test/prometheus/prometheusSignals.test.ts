import { prometheusConfigSchema } from '../../core/model/prometheusConfig';
import { prometheusSignals } from '../../providers/prometheus';
import type { MetricSeries, SeriesQuery, SignalProvider } from '../../providers/types';
import { ProviderError } from '../../providers/types';
import { freePort } from '../../workers/ports';
import { callControl, injectFleetFault, useTestFleet, waitFor, waitForMetric } from '../fleet/fleetHarness';
import { startAuthProxy } from './authProxy';
import { startPrometheus, type RunningPrometheus } from './prometheusProcess';

/**
 * The Prometheus provider against a real Prometheus scraping the real local fleet's control API every
 * second: its series (the `fleet` preset) must tell the same story as the fleet's own series (the local
 * provider), within the tolerance two different computations allow — a rate() over a 3 s window
 * against per-second counts, a p95 interpolated inside histogram buckets against an exact one.
 */
const test = useTestFleet({}, (t) => waitForMetric(t.providers, 'web', 'request_rate', (v) => v > 10));
let prometheus: RunningPrometheus;
let signals: SignalProvider;

const providerFor = (url: string, extra: Record<string, unknown> = {}): SignalProvider =>
  prometheusSignals(prometheusConfigSchema.parse({ url, rateWindowSeconds: 3, ...extra }), 'fleet');

beforeAll(async () => {
  prometheus = await startPrometheus([new URL(test.fleet.controlUrl).host]);
  signals = providerFor(prometheus.url);
  // A few scrapes in, rate() has something to work on.
  await waitFor('10 s of web request_rate in Prometheus', async () => {
    const [series] = await signals.series(window('web', ['request_rate'], 30));
    return (series?.points.length ?? 0) >= 10 ? true : undefined;
  });
});
afterAll(() => prometheus?.stop());

/** The last `seconds`, ending 2 s ago: the newest second is not yet scraped and rated everywhere. */
function window(service: string, metrics: string[], seconds: number, extra: Partial<SeriesQuery> = {}) {
  const to = new Date(Date.now() - 2_000);
  return { service, metrics, from: new Date(to.getTime() - seconds * 1000), to, stepSeconds: 1, ...extra };
}

const mean = (series: MetricSeries | undefined): number | undefined =>
  series && series.points.length > 0
    ? series.points.reduce((sum, [, v]) => sum + v, 0) / series.points.length
    : undefined;

const pick = (list: MetricSeries[], metric: string, labels: MetricSeries['labels'] = {}) =>
  list.find((s) => s.metric === metric && JSON.stringify(s.labels) === JSON.stringify(labels));

/**
 * Both sides' mean of each (metric, slice) over the same window: the fleet's through the local provider,
 * and its pool slices (which the provider's SeriesQuery does not ask for) from the control API itself.
 */
async function compare(query: SeriesQuery, slices: Array<[string, MetricSeries['labels']]>) {
  const params = new URLSearchParams({
    metrics: query.metrics.join(','),
    from: String(query.from.getTime()),
    to: String(query.to.getTime()),
    step: String(query.stepSeconds),
    byRelease: String(query.byRelease ?? false),
    byTarget: String(query.byTarget ?? false),
    byPool: 'true',
  });
  const [local, prom] = await Promise.all([
    callControl<{ series: MetricSeries[] }>(test, 'GET', `/services/${query.service}/series?${params}`),
    signals.series(query),
  ]);
  return slices.map(([metric, labels]) => ({
    metric,
    labels,
    local: mean(pick(local.body.series, metric, labels)),
    prometheus: mean(pick(prom, metric, labels)),
  }));
}

const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];
const bucketOf = (ms: number): number => LATENCY_BUCKETS_MS.findIndex((le) => ms <= le);

/** Measured agreement, printed so the report can quote it. */
const log = (what: string, rows: unknown): void => {
  process.stdout.write(`[prometheus agreement] ${what}: ${JSON.stringify(rows)}\n`);
};

const COMPARED = [
  'request_rate',
  'error_ratio',
  'latency_p95_ms',
  'healthy_targets',
  'timeout_ratio',
  'saturation',
] as const;

it('a calm fleet: request rate, error ratio, p95 latency and healthy targets agree with the fleet', async () => {
  for (const service of ['web', 'checkout']) {
    const rows = await compare(
      window(service, [...COMPARED], 20, {
        byTarget: true,
      }),
      [
        ['request_rate', {}],
        ['request_rate', { pool: 'primary' }],
        ['request_rate', { target: `${service}-0` }],
        ['error_ratio', {}],
        ['latency_p95_ms', {}],
        ['healthy_targets', {}],
        ['healthy_targets', { pool: 'primary' }],
        ['healthy_targets', { pool: 'standby' }],
        ['timeout_ratio', {}],
        ['saturation', {}],
      ],
    );
    log(service, rows);
    const row = (metric: string, labels: MetricSeries['labels'] = {}) =>
      rows.find((r) => r.metric === metric && JSON.stringify(r.labels) === JSON.stringify(labels))!;
    for (const r of rows)
      expect([r.metric, r.labels, r.prometheus]).toEqual([r.metric, r.labels, expect.any(Number)]);

    const rate = row('request_rate');
    expect(Math.abs(rate.prometheus! - rate.local!)).toBeLessThanOrEqual(0.15 * rate.local!);
    for (const labels of [{ pool: 'primary' }, { target: `${service}-0` }]) {
      const slice = row('request_rate', labels);
      expect(Math.abs(slice.prometheus! - slice.local!)).toBeLessThanOrEqual(0.15 * slice.local!);
    }
    expect(Math.abs(row('error_ratio').prometheus! - row('error_ratio').local!)).toBeLessThanOrEqual(0.02);
    // The fleet's series is a mean of exact per-second p95s (of ~30 requests each); Prometheus's is
    // interpolated linearly inside a histogram bucket (5, 10, 25, 50, 100, 250 ms …), each 2-2.5 times
    // the one below. That resolution is what can be promised: the same or a neighbouring bucket.
    const p95 = row('latency_p95_ms');
    expect(Math.abs(bucketOf(p95.prometheus!) - bucketOf(p95.local!))).toBeLessThanOrEqual(1);
    expect(Math.abs(row('timeout_ratio').prometheus! - row('timeout_ratio').local!)).toBeLessThanOrEqual(
      0.02,
    );
    // A gauge read at each scrape against the fleet's per-second samples: close, not equal.
    expect(Math.abs(row('saturation').prometheus! - row('saturation').local!)).toBeLessThanOrEqual(0.1);
    for (const labels of [{}, { pool: 'primary' }, { pool: 'standby' }])
      expect(row('healthy_targets', labels).prometheus).toBeCloseTo(row('healthy_targets', labels).local!, 1);
  }
});

it('a bad release: the error ratio by release and service-wide agrees with the fleet', async () => {
  await injectFleetFault(test, 'checkout', 'bad-release', { by: 'alice' });
  const rolledOut = Date.now();
  const topology = await test.providers.remediation.describe('checkout');
  const bad = topology.targets[0]!.release;
  await waitForMetric(test.providers, 'checkout', 'error_ratio', (v) => v > 0.3, {
    labels: { release: bad },
  });
  // Compare over 10 s that start a rate window after the rollout finished: the state, polled for.
  await waitFor('10 s of the bad release after its rollout', async () =>
    Date.now() - rolledOut > 15_000 ? true : undefined,
  );
  const rows = await compare(window('checkout', ['error_ratio'], 10, { byRelease: true }), [
    ['error_ratio', {}],
    ['error_ratio', { release: bad }],
  ]);
  log(`checkout after bad-release ${bad}`, rows);
  for (const r of rows) {
    expect(r.local).toBeGreaterThan(0.3);
    expect(Math.abs(r.prometheus! - r.local!)).toBeLessThanOrEqual(0.1);
  }
});

it('a window longer than 11,000 steps is read at a wider step instead of refused', async () => {
  const to = new Date();
  const series = await signals.series({
    service: 'web',
    metrics: ['request_rate'],
    from: new Date(to.getTime() - 24 * 3600_000),
    to,
    stepSeconds: 1,
  });
  expect(series).toHaveLength(1);
  const [first, second] = series[0]!.points;
  // 86,400 s in at most 11,000 points: a step of 86,400 / 10,999 ≈ 7.86 s.
  expect(second![0] - first![0]).toBeGreaterThanOrEqual(7_855);
});

it('a metric Prometheus has no samples of is absent, not an error', async () => {
  const series = await signals.series(
    window('web', ['request_rate', 'dead_letters', 'not_a_metric'], 10, { byTarget: true }),
  );
  expect(series.some((s) => s.metric === 'request_rate')).toBe(true);
  expect(series.filter((s) => s.metric !== 'request_rate')).toEqual([]);
});

it('Prometheus down: a retryable error naming the URL, the metric and the service', async () => {
  const url = `http://127.0.0.1:${await freePort()}`;
  const failure = await providerFor(url)
    .series(window('checkout', ['error_ratio'], 10))
    .catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(ProviderError);
  expect(failure).toMatchObject({ code: 'unavailable', retryable: true });
  expect((failure as Error).message).toContain(`Prometheus unreachable at ${url}`);
  expect((failure as Error).message).toMatch(/ECONNREFUSED.*error_ratio \(service checkout/);
});

it('a bad query: a non-retryable error naming the metric, with Prometheus’s reason and the query', async () => {
  const broken = providerFor(prometheus.url, {
    queries: { error_ratio: 'sum by ($by) (rate(fleet_proxy_requests_total{$selector}[$window])' },
  });
  const failure = await broken.series(window('checkout', ['error_ratio'], 10)).catch((err: unknown) => err);
  expect(failure).toMatchObject({ code: 'bad_query', retryable: false });
  expect((failure as Error).message).toMatch(
    /HTTP 400 \(bad_data: .*\) for error_ratio \(service checkout, service-wide\); query: sum by \(\) \(rate\(fleet_proxy_requests_total\{service="checkout"\}\[3s\]\)$/,
  );

  const ungrouped = providerFor(prometheus.url, {
    queries: { request_rate: 'rate(fleet_proxy_requests_total{$selector}[$window])' },
  });
  await expect(ungrouped.series(window('checkout', ['request_rate'], 10))).rejects.toThrow(
    /metric request_rate is invalid: the service-wide query returned \d+ series, expected one/,
  );
});

it('behind an authenticating proxy: sends the bearer token or basic auth, and says which key to check', async () => {
  const bearer = await startAuthProxy(prometheus.url, 'Bearer s3cret');
  const basic = await startAuthProxy(prometheus.url, `Basic ${Buffer.from('ops:pa:ss').toString('base64')}`);
  try {
    const query = window('web', ['request_rate'], 10);
    const viaBearer = await providerFor(bearer.url, { bearerToken: 's3cret' }).series(query);
    expect(viaBearer.map((s) => s.metric)).toEqual(['request_rate']);
    const viaBasic = await providerFor(basic.url, { username: 'ops', password: 'pa:ss' }).series(query);
    expect(viaBasic.map((s) => s.metric)).toEqual(['request_rate']);

    const refused = await providerFor(bearer.url, { bearerToken: 'wrong' })
      .series(query)
      .catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'access_denied', retryable: false });
    expect((refused as Error).message).toMatch(
      /HTTP 401 \(unauthorized\) for request_rate \(service web, service-wide\).*HOMEOSTAT_PROMETHEUS_BEARER_TOKEN/,
    );
    const misplaced = await providerFor(bearer.url.replace(/\/prometheus$/, '/prom'), {
      bearerToken: 's3cret',
    })
      .series(query)
      .catch((err: unknown) => err);
    expect(misplaced).toMatchObject({ code: 'not_found', retryable: false });
    expect((misplaced as Error).message).toContain('is HOMEOSTAT_PROMETHEUS_URL the Prometheus base URL?');
  } finally {
    await Promise.all([bearer.close(), basic.close()]);
  }
});
