import { execFileSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { HISTORIES_DIR } from './harness/histories';

/**
 * Recorded histories are append-only: they stand for incidents that ran on earlier workflow code, and
 * only an unchanged history proves that a change (guarded by patched()) still replays them. A change
 * that needs a history re-recorded is a change that breaks running incidents.
 *
 * This reads git: every commit that modified, renamed or deleted a committed history fails the suite,
 * and so does an uncommitted modification or deletion. New histories may be added at any time.
 */

/**
 * Re-recordings that happened before this check existed (commit 5683f3b re-recorded two fixtures when it
 * added the HomeostatResult upsert without a patch). Their originals are kept beside them as
 * `*-before-result-attribute.json`, and the upsert is now guarded. Nothing may be added to this list.
 */
const GRANDFATHERED = new Set([
  '5683f3b6247c1521a4165e39df2683e67c537dd6 test/histories/breaker-approved.json',
  '5683f3b6247c1521a4165e39df2683e67c537dd6 test/histories/governor-permits.json',
]);

const ROOT = join(__dirname, '..');
const DIR = relative(ROOT, HISTORIES_DIR);

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** `<commit> <status> <path>` for every change to a history other than an addition. */
export function historyRewrites(log: string): string[] {
  const found: string[] = [];
  let commit = '';
  for (const line of log.split('\n')) {
    if (/^[0-9a-f]{40}$/.test(line)) commit = line;
    const m = /^([MDRTC])\d*\t(\S+)/.exec(line);
    if (m && m[2]!.endsWith('.json')) found.push(`${commit} ${m[1]} ${m[2]}`);
  }
  return found;
}

describe('recorded histories are append-only', () => {
  it('reads the full git history (a shallow clone could hide a rewrite)', () => {
    expect(git(['rev-parse', '--is-shallow-repository']).trim()).toBe('false');
  });

  it('no commit modified, renamed or deleted a committed history', () => {
    const log = git(['log', '--format=%H', '--name-status', '--no-renames', '--', DIR]);
    const rewrites = historyRewrites(log).filter((r) => {
      const [commit, , path] = r.split(' ');
      return !GRANDFATHERED.has(`${commit} ${path}`);
    });
    expect(rewrites).toEqual([]);
  });

  it('the working tree changes no committed history', () => {
    const status = git(['status', '--porcelain', '--', DIR])
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('??') && !l.startsWith('A '));
    expect(status).toEqual([]);
  });

  it('the check itself sees a rewrite', () => {
    const log = [
      'a'.repeat(40),
      '',
      'A\ttest/histories/new.json',
      'b'.repeat(40),
      '',
      'M\ttest/histories/old.json',
    ];
    expect(historyRewrites(log.join('\n'))).toEqual([`${'b'.repeat(40)} M test/histories/old.json`]);
  });
});
