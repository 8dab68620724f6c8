import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../core/model/config';
import { createProviders } from '../../providers';
import { clampStep, finitePoints, PRESETS, renderTemplate, resolveQueries } from '../../providers/prometheus';

/** The `prometheus` config section and the PromQL templates, without a Prometheus. */

const URL = 'http://prometheus.example:9090';

describe('prometheus configuration', () => {
  it('is off by default, and HOMEOSTAT_SIGNALS=prometheus reads the section from the environment', () => {
    expect(loadConfig({}).signals).toBe('target');
    const cfg = loadConfig({
      HOMEOSTAT_SIGNALS: 'prometheus',
      HOMEOSTAT_PROMETHEUS_URL: URL,
      HOMEOSTAT_PROMETHEUS_PRESET: 'http',
      HOMEOSTAT_PROMETHEUS_TIMEOUT_SECONDS: '2.5',
      HOMEOSTAT_PROMETHEUS_RATE_WINDOW_SECONDS: '20',
      HOMEOSTAT_PROMETHEUS_BEARER_TOKEN: 'tok',
      HOMEOSTAT_PROMETHEUS_SERVICE_LABEL: 'app',
    });
    expect(cfg.signals).toBe('prometheus');
    expect(cfg.prometheus).toMatchObject({
      url: URL,
      preset: 'http',
      timeoutSeconds: 2.5,
      rateWindowSeconds: 20,
      bearerToken: 'tok',
      labels: { service: 'app' },
      queries: {},
    });
  });

  it('names the key that is wrong', () => {
    expect(() => loadConfig({ HOMEOSTAT_SIGNALS: 'prometheus' })).toThrow(
      /HOMEOSTAT_PROMETHEUS_URL \(prometheus\.url\): HOMEOSTAT_SIGNALS=prometheus needs the Prometheus base URL/,
    );
    expect(() => loadConfig({ HOMEOSTAT_SIGNALS: 'graphite' })).toThrow(/HOMEOSTAT_SIGNALS \(signals\)/);
    expect(() => loadConfig({ HOMEOSTAT_PROMETHEUS_URL: 'prometheus:9090' })).toThrow(
      /HOMEOSTAT_PROMETHEUS_URL/,
    );
    expect(() => loadConfig({ HOMEOSTAT_PROMETHEUS_URL: 'ftp://p.example/' })).toThrow(
      /HOMEOSTAT_PROMETHEUS_URL \(prometheus\.url\): expected an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => loadConfig({ HOMEOSTAT_PROMETHEUS_PRESET: 'kubernetes' })).toThrow(
      /HOMEOSTAT_PROMETHEUS_PRESET \(prometheus\.preset\)/,
    );
    expect(() => loadConfig({ HOMEOSTAT_PROMETHEUS_TIMEOUT_SECONDS: '0' })).toThrow(
      /HOMEOSTAT_PROMETHEUS_TIMEOUT_SECONDS/,
    );
    expect(() => loadConfig({ HOMEOSTAT_PROMETHEUS_RATE_WINDOW_SECONDS: 'soon' })).toThrow(
      /HOMEOSTAT_PROMETHEUS_RATE_WINDOW_SECONDS/,
    );
    expect(() => loadConfig({ HOMEOSTAT_PROMETHEUS_USERNAME: 'ops' })).toThrow(
      /HOMEOSTAT_PROMETHEUS_PASSWORD \(prometheus\.password\): basic auth needs both/,
    );
    expect(() =>
      loadConfig({
        HOMEOSTAT_PROMETHEUS_USERNAME: 'ops',
        HOMEOSTAT_PROMETHEUS_PASSWORD: 'pw',
        HOMEOSTAT_PROMETHEUS_BEARER_TOKEN: 'tok',
      }),
    ).toThrow(/HOMEOSTAT_PROMETHEUS_BEARER_TOKEN.*not both/);
    expect(() => loadConfig({ HOMEOSTAT_PROMETHEUS_SERVICE_LABEL: 'app-name' })).toThrow(
      /HOMEOSTAT_PROMETHEUS_SERVICE_LABEL \(prometheus\.labels\.service\): expected a Prometheus label name/,
    );
  });

  it('reads per-metric queries from the config file, naming a bad one by its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'homeostat-prom-config-'));
    const file = join(dir, 'config.json');
    const write = (prometheus: unknown): string => {
      writeFileSync(file, JSON.stringify({ prometheus }));
      return file;
    };
    try {
      const cfg = loadConfig({
        HOMEOSTAT_CONFIG: write({
          url: URL,
          queries: {
            error_ratio: 'my_error_ratio{$selector}',
            disk_full: { query: 'max by ($by) (disk_used_ratio{$selector})', slices: ['target'] },
          },
        }),
      });
      expect(cfg.prometheus.queries.disk_full).toEqual({
        query: 'max by ($by) (disk_used_ratio{$selector})',
        slices: ['target'],
      });
      expect(() => loadConfig({ HOMEOSTAT_CONFIG: write({ queries: { error_ratio: '  ' } }) })).toThrow(
        /prometheus\.queries\.error_ratio/,
      );
      expect(() =>
        loadConfig({ HOMEOSTAT_CONFIG: write({ queries: { x: { query: 'up', slices: ['cell'] } } }) }),
      ).toThrow(/prometheus\.queries\.x/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('swaps in Prometheus for the signals only, with the preset the target suggests', () => {
    const local = createProviders(
      loadConfig({ HOMEOSTAT_SIGNALS: 'prometheus', HOMEOSTAT_PROMETHEUS_URL: URL }),
      'http://127.0.0.1:1',
    )!;
    const plain = createProviders(loadConfig({}), 'http://127.0.0.1:1')!;
    expect(local.signals).not.toBe(plain.signals);
    expect(Object.keys(local.remediation)).toEqual(Object.keys(plain.remediation));
    expect(local.maxActionSeconds).toBe(plain.maxActionSeconds);
  });
});

describe('PromQL templates', () => {
  const values = { service: 'checkout', serviceLabel: 'service', windowSeconds: 60, stepSeconds: 15 };

  it('renders the service-wide query with an empty grouping, and a slice with its label', () => {
    const { query } = PRESETS.fleet.queries.request_rate!;
    expect(renderTemplate('request_rate', query, values)).toBe(
      'sum by () (rate(fleet_proxy_requests_total{service="checkout"}[60s]))',
    );
    expect(
      renderTemplate('latency_p95_ms', PRESETS.fleet.queries.latency_p95_ms!.query, {
        ...values,
        slice: { kind: 'release', label: 'release' },
      }),
    ).toBe(
      'histogram_quantile(0.95, sum by (le, release) ' +
        '(rate(fleet_proxy_request_duration_seconds_bucket{service="checkout"}[60s]))) * 1000',
    );
    expect(
      renderTemplate('error_ratio', PRESETS.http.queries.error_ratio!.query, {
        ...values,
        serviceLabel: 'job',
        slice: { kind: 'target', label: 'instance' },
      }),
    ).toBe(
      '(sum by (instance) (rate(http_requests_total{job="checkout",code=~"5.."}[60s])) ' +
        'or 0 * sum by (instance) (rate(http_requests_total{job="checkout"}[60s]))) ' +
        '/ sum by (instance) (rate(http_requests_total{job="checkout"}[60s]))',
    );
  });

  it('escapes the service name and spells fractional durations in milliseconds', () => {
    expect(
      renderTemplate('m', 'x{$selector} offset $step or y{s="$service"}[$window]', {
        ...values,
        service: 'we"ird\\name',
        windowSeconds: 1.5,
        stepSeconds: 0.25,
      }),
    ).toBe('x{service="we\\"ird\\\\name"} offset 250ms or y{s="we\\"ird\\\\name"}[1500ms]');
  });

  it('refuses an unknown placeholder and a sliced query without $by, naming the metric and the query', () => {
    expect(() => renderTemplate('queue_depth', 'sum(q{$selectr})', values)).toThrow(
      'Prometheus query for metric queue_depth is invalid: unknown placeholder $selectr ' +
        '(known: $service, $selector, $by, $window, $step); query: sum(q{$selectr})',
    );
    expect(() =>
      renderTemplate('memory_rss_mb', 'max(rss{$selector})', {
        ...values,
        slice: { kind: 'target', label: 'target' },
      }),
    ).toThrow(/metric memory_rss_mb is invalid: it is split by target but has no \$by.*query: max\(rss/);
    // A `$` that is not a placeholder (a regex anchor) is left alone.
    expect(renderTemplate('m', 'up{job=~"web$"}', values)).toBe('up{job=~"web$"}');
  });

  it('applies overrides: a string keeps the preset slices, an object brings its own; labels replace', () => {
    const base = loadConfig({}).prometheus;
    const resolved = resolveQueries(
      {
        ...base,
        queries: { error_ratio: 'my_errors{$selector}', disk: { query: 'd{$selector}', slices: [] } },
        labels: { target: 'pod' },
      },
      'fleet',
    );
    expect(resolved.queries.error_ratio).toEqual({
      query: 'my_errors{$selector}',
      slices: ['release', 'target', 'pool'],
    });
    expect(resolved.queries.disk).toEqual({ query: 'd{$selector}', slices: [] });
    expect(resolved.queries.request_rate).toBe(PRESETS.fleet.queries.request_rate);
    expect(resolved.labels).toEqual({ service: 'service', release: 'release', target: 'pod', pool: 'pool' });
  });

  it('every preset query renders for the service and for each slice it declares', () => {
    for (const preset of Object.values(PRESETS))
      for (const [metric, def] of Object.entries(preset.queries)) {
        expect(renderTemplate(metric, def.query, values)).not.toContain('$');
        for (const kind of def.slices) {
          const label = preset.labels[kind];
          const rendered = renderTemplate(metric, def.query, { ...values, slice: { kind, label } });
          expect(rendered).toMatch(new RegExp(`by \\((le, )?${label}\\)`));
        }
      }
  });
});

describe('query steps and values', () => {
  it('widens the step so no series exceeds 11,000 points, and keeps a step that fits', () => {
    const day = 24 * 3600_000;
    expect(clampStep(0, day, 1)).toBeCloseTo(86_400 / 10_999, 2);
    expect(day / 1000 / clampStep(0, day, 1) + 1).toBeLessThanOrEqual(11_000);
    expect(clampStep(0, 600_000, 1)).toBe(1);
    expect(clampStep(0, 600_000, 30)).toBe(30);
  });

  it('drops NaN and infinite values and turns seconds into epoch milliseconds', () => {
    expect(
      finitePoints([
        [1700000000, '0.5'],
        [1700000001.5, 'NaN'],
        [1700000002, '+Inf'],
        [1700000003, '-Inf'],
        [1700000004, '2'],
      ]),
    ).toEqual([
      [1700000000000, 0.5],
      [1700000004000, 2],
    ]);
  });
});
