import {
  describeSilence,
  findSilence,
  formatSilences,
  invalidSilenceRequest,
  MAX_SILENCE_SECONDS,
  parseDuration,
  pruneSilences,
  silencedConclusion,
  silencesNamed,
  type Silence,
} from '../../core/model/silence';
import { formatGovernor } from '../../core/model/governorSummary';
import { parseSilenceArgs } from '../../cli/silence';
import { DEFAULT_SAFETY_LIMITS } from '../../core/model/permits';

const T0 = Date.parse('2026-12-02T12:00:00Z');
const HOUR = 3_600_000;
const silence = (id: string, service: string, hours: number, failureClass?: string): Silence => ({
  id,
  service,
  ...(failureClass ? { failureClass } : {}),
  by: 'alice',
  reason: 'deploy window',
  at: new Date(T0).toISOString(),
  until: new Date(T0 + hours * HOUR).toISOString(),
});

describe('silences', () => {
  const all = [
    silence('silence-1', 'checkout', 2),
    silence('silence-2', 'web', 1, 'bad-release'),
    silence('silence-3', 'checkout', 4, 'deadlock'),
  ];

  it('match a service (or its root) and, when given, only the failure class', () => {
    expect(findSilence(all, ['checkout'], 'bad-release', T0)?.id).toBe('silence-1');
    // Two cover checkout's deadlock: the one lasting longest is the one that really holds it.
    expect(findSilence(all, ['checkout'], 'deadlock', T0)?.id).toBe('silence-3');
    expect(findSilence(all, ['web'], 'bad-release', T0)?.id).toBe('silence-2');
    expect(findSilence(all, ['web'], 'memory-leak', T0)).toBeUndefined();
    expect(findSilence(all, ['payments', 'web'], 'bad-release', T0)?.id).toBe('silence-2');
    expect(findSilence(undefined, ['web'], 'bad-release', T0)).toBeUndefined();
  });

  it('expire: an expired silence matches nothing and is pruned', () => {
    expect(findSilence(all, ['web'], 'bad-release', T0 + HOUR)).toBeUndefined();
    expect(findSilence(all, ['checkout'], 'bad-release', T0 + 3 * HOUR)).toBeUndefined();
    expect(pruneSilences(all, T0 + 3 * HOUR).map((s) => s.id)).toEqual(['silence-3']);
    expect(pruneSilences(all, T0 + 5 * HOUR)).toEqual([]);
  });

  it('are lifted by id, or all of a service', () => {
    expect(silencesNamed(all, 'silence-2', T0).map((s) => s.id)).toEqual(['silence-2']);
    expect(silencesNamed(all, 'checkout', T0).map((s) => s.id)).toEqual(['silence-1', 'silence-3']);
    expect(silencesNamed(all, 'checkout', T0 + 3 * HOUR).map((s) => s.id)).toEqual(['silence-3']);
    expect(silencesNamed(all, 'nothing', T0)).toEqual([]);
  });

  it('say who, until when and why', () => {
    expect(describeSilence(all[1]!)).toBe(
      'web (bad-release) silenced by alice until 2026-12-02 13:00Z: deploy window',
    );
    expect(silencedConclusion(all[0]!)).toMatch(
      /^silenced by alice until 2026-12-02 14:00Z: deploy window — no action taken \(checkout; silence silence-1\)$/,
    );
    expect(formatSilences(all, T0 + 3 * HOUR)).toEqual([
      expect.stringMatching(/^silences/),
      '  silence-3: checkout (deadlock) silenced by alice until 2026-12-02 16:00Z: deploy window',
    ]);
    expect(formatSilences([], T0)).toEqual(['silences: none']);
    expect(formatGovernor({ paused: null, log: [], silences: all }, DEFAULT_SAFETY_LIMITS, T0)).toContain(
      'silence-2: web (bad-release) silenced by alice',
    );
  });

  it('validate requests, naming the field', () => {
    const ok = { service: 'checkout', durationSeconds: 3600, by: 'alice', reason: 'window' };
    expect(invalidSilenceRequest(ok)).toBeUndefined();
    expect(invalidSilenceRequest({ ...ok, service: ' ' })).toMatch(/^service is required/);
    expect(invalidSilenceRequest({ ...ok, failureClass: '' })).toMatch(/^failureClass/);
    expect(invalidSilenceRequest({ ...ok, durationSeconds: 0 })).toMatch(/^durationSeconds/);
    expect(invalidSilenceRequest({ ...ok, durationSeconds: MAX_SILENCE_SECONDS + 1 })).toMatch(
      /^durationSeconds/,
    );
    expect(invalidSilenceRequest({ ...ok, by: '' })).toMatch(/who \(by\)/);
    expect(invalidSilenceRequest(undefined)).toMatch(/^service/);
  });

  it('parse durations people type', () => {
    expect(['90', '90s', '30m', '2h', '1d', '1.5h', ' 2H '].map(parseDuration)).toEqual([
      90, 90, 1800, 7200, 86400, 5400, 7200,
    ]);
    for (const bad of ['', 'soon', '2w', '-1h', '0', 'h2']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('CLI arguments: a mistake gets its fix', () => {
    const usage = (m: string) => new Error(m);
    const parse = (command: 'silence' | 'unsilence', ...args: string[]) => {
      const positionals = args.filter((a) => !a.includes('='));
      const values = Object.fromEntries(args.filter((a) => a.includes('=')).map((a) => a.split('=')));
      return () => parseSilenceArgs(command, positionals, values, usage);
    };
    expect(parse('silence')).toThrow(/silence needs a service, e.g. homeostat silence checkout --for 2h/);
    expect(parse('silence', 'checkout', 'by=a', 'reason=b')).toThrow(/silence needs --for <duration>/);
    expect(parse('silence', 'checkout', 'for=soon', 'by=a', 'reason=b')).toThrow(
      /--for soon is not a duration/,
    );
    expect(parse('silence', 'checkout', 'for=8d', 'by=a', 'reason=b')).toThrow(/not a duration up to 7d/);
    expect(parse('silence', 'checkout', 'for=2h')).toThrow(/silence needs --by <who> and --reason <why>/);
    expect(parse('silence', 'checkout', 'for=2h', 'class= ', 'by=a', 'reason=b')).toThrow(
      /--class must name/,
    );
    expect(parse('unsilence')).toThrow(/unsilence needs the silence id or the service/);
    expect(parse('unsilence', 'silence-1', 'by=alice')).toThrow(/unsilence needs --by <approver>/);
    expect(parse('silence', 'checkout', 'for=90m', 'class=deadlock', 'by=a', 'reason=b')()).toEqual({
      command: 'silence',
      request: { service: 'checkout', failureClass: 'deadlock', durationSeconds: 5400, by: 'a', reason: 'b' },
    });
    expect(parse('unsilence', 'checkout', 'by=alice', 'reason=over')()).toEqual({
      command: 'unsilence',
      request: { target: 'checkout', by: 'alice', reason: 'over' },
    });
  });
});
