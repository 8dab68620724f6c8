import { burnRate, burnReadings } from '../../core/detection/burnRate';
import { harmful, judgeService, judgeSignal, type DetectorSettings } from '../../core/detection/evaluate';
import { groupByDependency } from '../../core/detection/grouping';
import { stepPersistence, type Persistence } from '../../core/detection/persistence';
import { inRanges, pruneRanges, withoutRanges } from '../../core/detection/ranges';
import { ewma, learnBaseline, mad, median, modifiedZ, slopePerSecond } from '../../core/detection/robust';
import { seasonalReference } from '../../core/detection/seasonal';
import { SIGNALS } from '../../core/detection/signals';
import { DEFAULT_BURN_WINDOWS, detectorConfigSchema } from '../../core/model/detectorConfig';
import { ConfigError, loadConfig } from '../../core/model/config';
import type { MetricSeries } from '../../core/model/signals';

/** Pure pieces of the detector, each on numbers the test chooses: no clock, no server. */

const T0 = Date.parse('2026-12-01T10:00:00Z');
const SEC = 1000;
const spec = (metric: string) => SIGNALS.find((s) => s.metric === metric)!;
const SETTINGS: DetectorSettings = {
  recentSeconds: 5,
  baselineSeconds: 120,
  minBaselinePoints: 10,
  sensitivity: 3.5,
  seasonalPeriodSeconds: 0,
  burnWindows: DEFAULT_BURN_WINDOWS,
};

/** One point a second for `seconds` ending at `end`, valued by f(seconds before end). */
function series(seconds: number, f: (ago: number) => number, end = T0): Array<[number, number]> {
  return Array.from({ length: seconds }, (_, i): [number, number] => {
    const ago = seconds - 1 - i;
    return [end - ago * SEC, f(ago)];
  });
}

describe('robust statistics', () => {
  it('median and MAD ignore the outliers the mean would follow', () => {
    expect(median([1, 2, 3, 100])).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it('the modified z-score is 0.6745·(x − median)/MAD', () => {
    expect(modifiedZ(12, 10, 1)).toBeCloseTo(1.349, 3);
    expect(modifiedZ(10, 10, 1)).toBe(0);
  });

  it('a flat series gets the MAD floor (absolute, or relative to the median), not a zero divisor', () => {
    const flat = learnBaseline([0, 0, 0, 0], { absolute: 0.01, relative: 0.1 });
    expect(flat).toEqual({ median: 0, mad: 0, scale: 0.01, n: 4 });
    expect(learnBaseline([200, 200, 200], { absolute: 10, relative: 0.1 }).scale).toBe(20);
    expect(learnBaseline([1, 5, 9], { absolute: 0.1, relative: 0 }).scale).toBe(4);
  });

  it('EWMA weights the newest values by 2/(span+1); the slope is least squares per second', () => {
    expect(ewma([0, 0, 0, 10], 3)).toBeCloseTo(5, 6); // α = 0.5
    expect(ewma([4], 5)).toBe(4);
    expect(slopePerSecond(series(10, (ago) => 100 - ago * 5))).toBeCloseTo(5, 6);
    expect(slopePerSecond([[T0, 1]])).toBe(0);
  });
});

describe('SLO burn rates', () => {
  it('burn = error ratio / (1 − SLO)', () => {
    expect(burnRate(0.01, 0.99)).toBeCloseTo(1, 6);
    expect(burnRate(0.144, 0.99)).toBeCloseTo(14.4, 6);
    expect(() => burnRate(0.1, 1)).toThrow(/objective/);
  });

  it('a pair fires only while both its long and its short window burn above the factor', () => {
    // 20 % errors for the last 70 s at a 99 % SLO: 20× over 60 s and over 5 s (above 14.4×).
    const sustained = series(400, (ago) => (ago < 70 ? 0.2 : 0));
    const [fast, slow] = burnReadings(sustained, T0, 0.99, DEFAULT_BURN_WINDOWS);
    expect(fast!.firing).toBe(true);
    expect(slow!.firing).toBe(false); // 70 s of 360 s at 20× is about 3.9×, under 6×
    // The burn stopped 10 s ago: the short window clears at once, though the long one still burns.
    const stopped = series(400, (ago) => (ago < 70 && ago >= 10 ? 0.2 : 0));
    const [after] = burnReadings(stopped, T0, 0.99, DEFAULT_BURN_WINDOWS);
    expect(after!.longRate).toBeGreaterThan(14.4);
    expect(after!.firing).toBe(false);
  });
});

describe('persistence (pending → firing after `for` → resolved)', () => {
  it('fires once the condition held for `for`, from the time it started to hold; resolves when it stops', () => {
    let s: Persistence = { phase: 'inactive' };
    const at = (ms: number, holds: boolean) => {
      const next = stepPersistence(s, holds, T0 + ms, 5);
      s = next.state;
      return next.event;
    };
    expect(at(0, true)).toBe('pending');
    expect(at(4999, true)).toBeUndefined();
    expect(s).toEqual({ phase: 'pending', since: T0 });
    expect(at(5000, true)).toBe('fired');
    expect(s).toEqual({ phase: 'firing', since: T0, firedAt: T0 + 5000 });
    expect(at(10_000, true)).toBeUndefined();
    expect(at(15_000, false)).toBe('resolved');
    expect(s).toEqual({ phase: 'inactive' });
  });

  it('a burst shorter than `for` never fires, and a lapse while pending starts over', () => {
    let s = stepPersistence({ phase: 'inactive' }, true, T0, 5).state;
    s = stepPersistence(s, false, T0 + 3 * SEC, 5).state;
    expect(s).toEqual({ phase: 'inactive' });
    s = stepPersistence(s, true, T0 + 4 * SEC, 5).state;
    expect(stepPersistence(s, true, T0 + 8 * SEC, 5).event).toBeUndefined();
    expect(stepPersistence({ phase: 'inactive' }, true, T0, 0).event).toBe('fired');
  });
});

describe('grouping by the dependency graph', () => {
  const deps = { web: ['checkout'], checkout: ['payments'], payments: [] };

  it('web, checkout and payments at once are one group on the deepest: payments', () => {
    expect(groupByDependency(['web', 'checkout', 'payments'], deps)).toEqual([
      { root: 'payments', victims: ['checkout', 'web'] },
    ]);
  });

  it('a bad checkout with web failing too is one group on checkout; a healthy payments is not in it', () => {
    expect(groupByDependency(['web', 'checkout'], deps)).toEqual([{ root: 'checkout', victims: ['web'] }]);
  });

  it('unrelated failures stay separate groups, and a transitive victim still names its root', () => {
    expect(groupByDependency(['web', 'payments', 'search'], { ...deps, search: [] })).toEqual([
      { root: 'payments', victims: ['web'] },
      { root: 'search', victims: [] },
    ]);
  });

  it('a cycle of anomalous services with no deepest member makes each of them a root', () => {
    const cyclic = { a: ['b'], b: ['a'], x: ['a'] };
    expect(groupByDependency(['a', 'b', 'x'], cyclic)).toEqual([
      { root: 'a', victims: ['x'] },
      { root: 'b', victims: ['x'] },
    ]);
  });
});

describe('firing ranges and seasonality', () => {
  it('a baseline leaves out the ranges in which the detector fired, open ones up to now', () => {
    const ranges = [{ from: T0 - 20 * SEC, to: T0 - 10 * SEC }, { from: T0 - 2 * SEC }];
    expect(inRanges(T0 - 15 * SEC, ranges)).toBe(true);
    expect(inRanges(T0 - 5 * SEC, ranges)).toBe(false);
    expect(inRanges(T0 + 60 * SEC, ranges)).toBe(true);
    expect(
      withoutRanges(
        series(30, () => 1),
        ranges,
      ),
    ).toHaveLength(30 - 11 - 3);
    expect(pruneRanges(ranges, T0 - 5 * SEC)).toEqual([{ from: T0 - 2 * SEC }]);
  });

  it('the seasonal reference is the median around one period ago, absent when history is shorter or off', () => {
    const cycle = series(200, (ago) => (ago >= 95 && ago <= 105 ? 50 : 10));
    expect(seasonalReference(cycle, T0, 100, 3)).toBe(50);
    expect(seasonalReference(cycle, T0, 500, 3)).toBeUndefined();
    expect(seasonalReference(cycle, T0, 0, 3)).toBeUndefined();
  });
});

describe('judging a signal against its baseline', () => {
  const noisyErrors = (ago: number) => 0.002 * (ago % 3);

  it('a sustained error ratio far above a flat baseline is anomalous; a baseline too young is learning', () => {
    const v = judgeSignal(
      spec('error_ratio'),
      series(100, (ago) => (ago < 5 ? 0.5 : noisyErrors(ago))),
      T0,
      SETTINGS,
      [],
    );
    expect(v).toMatchObject({ state: 'anomalous', value: 0.5, impact: 'user' });
    expect(v!.z).toBeGreaterThan(3.5);
    expect(harmful(v!)).toBe(true);
    const young = judgeSignal(
      spec('error_ratio'),
      series(12, () => 0.5),
      T0,
      SETTINGS,
      [],
    );
    expect(young).toMatchObject({ state: 'learning' });
  });

  it('a 2 s burst inside the recent window does not move its median: normal', () => {
    const burst = series(100, (ago) => (ago === 1 || ago === 2 ? 0.5 : noisyErrors(ago)));
    expect(judgeSignal(spec('error_ratio'), burst, T0, SETTINGS, [])).toMatchObject({ state: 'normal' });
  });

  it('a serving target down for good is anomalous; one restarting for a second during a rollout is not', () => {
    const down = judgeSignal(
      spec('unhealthy_targets'),
      series(100, (ago) => (ago < 5 ? 1 : 0)),
      T0,
      SETTINGS,
      [],
    );
    expect(down).toMatchObject({ state: 'anomalous', value: 1, impact: 'imminent' });
    expect(harmful(down!)).toBe(true);
    const rollout = series(100, (ago) => (ago === 2 || ago === 40 || ago === 41 ? 1 : 0));
    expect(judgeSignal(spec('unhealthy_targets'), rollout, T0, SETTINGS, [])).toMatchObject({
      state: 'normal',
    });
  });

  it('a tiny rise above a flat zero baseline stays under the MAD floor: normal', () => {
    const small = series(100, (ago) => (ago < 5 ? 0.02 : 0));
    expect(judgeSignal(spec('error_ratio'), small, T0, SETTINGS, [])).toMatchObject({ state: 'normal' });
  });

  it('an ongoing incident is not learned: with its range excluded it stays anomalous', () => {
    // 100 s of errors after 20 healthy seconds: learned as normal unless the firing range is left out.
    const long = series(120, (ago) => (ago < 100 ? 0.5 : 0));
    expect(judgeSignal(spec('error_ratio'), long, T0, SETTINGS, [])).toMatchObject({ state: 'normal' });
    const excluded = judgeSignal(spec('error_ratio'), long, T0, SETTINGS, [{ from: T0 - 100 * SEC }]);
    expect(excluded).toMatchObject({ state: 'anomalous' });
    expect(excluded!.baseline!.n).toBe(19); // only the 19 healthy seconds before the range
  });

  it('a queue must be growing, and saturation near capacity, to count', () => {
    const growing = series(100, (ago) => (ago < 10 ? 100 - ago * 8 : 3));
    expect(judgeSignal(spec('queue_depth'), growing, T0, SETTINGS, [])).toMatchObject({ state: 'anomalous' });
    const plateau = series(100, (ago) => (ago < 10 ? 80 : 3));
    expect(judgeSignal(spec('queue_depth'), plateau, T0, SETTINGS, [])).toMatchObject({ state: 'normal' });
    const busy = series(100, (ago) => (ago < 10 ? 0.6 : 0.2));
    expect(judgeSignal(spec('saturation'), busy, T0, SETTINGS, [])).toMatchObject({ state: 'normal' });
    const full = series(100, (ago) => (ago < 10 ? 0.97 : 0.2));
    expect(judgeSignal(spec('saturation'), full, T0, SETTINGS, [])).toMatchObject({ state: 'anomalous' });
  });

  it('with seasonality on, a value that matches one period ago is normal at the peak of a cycle', () => {
    const wave = (ago: number) => 100 + 80 * Math.sin((2 * Math.PI * ago) / 60);
    const cycle = series(200, wave);
    const on = judgeSignal(
      spec('latency_p95_ms'),
      cycle,
      T0 - 15 * SEC,
      { ...SETTINGS, seasonalPeriodSeconds: 60 },
      [],
    );
    expect(on!.seasonal).toBeDefined();
    expect(on).toMatchObject({ state: 'normal' });
  });
});

describe('judging a service', () => {
  const mk = (
    metric: string,
    points: Array<[number, number]>,
    labels: MetricSeries['labels'] = {},
  ): MetricSeries => ({
    metric,
    labels,
    points,
  });

  it('a traffic spike alone is context, not harm; memory is judged per target; unknown series are skipped', () => {
    const verdict = judgeService(
      'web',
      [
        mk(
          'request_rate',
          series(100, (ago) => (ago < 10 ? 300 : 30)),
        ),
        mk(
          'error_ratio',
          series(100, () => 0),
        ),
        mk(
          'memory_rss_mb',
          series(100, (ago) => (ago < 10 ? 150 - ago * 5 : 60)),
          { target: 'web-1' },
        ),
        mk(
          'memory_rss_mb',
          series(100, () => 60),
          { target: 'web-2' },
        ),
        mk(
          'made_up_metric',
          series(100, () => 1),
        ),
      ],
      T0,
      SETTINGS,
      [],
    );
    const byKey = Object.fromEntries(verdict.signals.map((s) => [s.key, s]));
    expect(Object.keys(byKey).sort()).toEqual([
      'error_ratio',
      'memory_rss_mb@web-1',
      'memory_rss_mb@web-2',
      'request_rate',
    ]);
    expect(byKey.request_rate).toMatchObject({ state: 'anomalous', impact: 'context' });
    expect(harmful(byKey.request_rate!)).toBe(false);
    expect(byKey['memory_rss_mb@web-1']).toMatchObject({
      state: 'anomalous',
      impact: 'imminent',
      target: 'web-1',
    });
    expect(byKey['memory_rss_mb@web-2']).toMatchObject({ state: 'normal' });
  });

  it('a service with an SLO also gets a burn-rate signal', () => {
    const v = judgeService(
      'checkout',
      [
        mk(
          'error_ratio',
          series(400, (ago) => (ago < 70 ? 0.2 : 0)),
        ),
      ],
      T0,
      SETTINGS,
      [],
      0.99,
    );
    expect(v.signals.find((s) => s.key === 'slo_burn')).toMatchObject({ state: 'anomalous', impact: 'user' });
  });
});

describe('detector settings', () => {
  it('defaults: enabled, every service, 5 s, z 3.5, for 5 s, seasonality off', () => {
    expect(detectorConfigSchema.parse({})).toMatchObject({
      enabled: true,
      services: [],
      intervalSeconds: 5,
      sensitivity: 3.5,
      forSeconds: 5,
      baselineSeconds: 300,
      seasonalPeriodSeconds: 0,
      slos: {},
    });
  });

  it('reads the environment, SLOs as service=objective pairs', () => {
    const cfg = loadConfig({
      HOMEOSTAT_DETECTOR_SERVICES: 'web, checkout',
      HOMEOSTAT_DETECTOR_INTERVAL_SECONDS: '2',
      HOMEOSTAT_DETECTOR_SLOS: 'checkout=0.99,web=0.995',
      HOMEOSTAT_DETECTOR: 'false',
    });
    expect(cfg.detector).toMatchObject({
      enabled: false,
      services: ['web', 'checkout'],
      intervalSeconds: 2,
      slos: { checkout: 0.99, web: 0.995 },
    });
  });

  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ HOMEOSTAT_DETECTOR_SENSITIVITY: 'high' })).toThrow(ConfigError);
    expect(() => loadConfig({ HOMEOSTAT_DETECTOR_SENSITIVITY: 'high' })).toThrow(
      /HOMEOSTAT_DETECTOR_SENSITIVITY/,
    );
    expect(() => loadConfig({ HOMEOSTAT_DETECTOR_SLOS: 'checkout=1.5' })).toThrow(
      /detector\.slos\.checkout: an objective below 1/,
    );
    expect(() => loadConfig({ HOMEOSTAT_DETECTOR_RECENT_SECONDS: '400' })).toThrow(/recentSeconds/);
  });
});
