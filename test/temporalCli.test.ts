import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isCompatibleVersion,
  resolveTemporalCli,
  runWithProgress,
  TemporalCliError,
} from '../workers/temporalCli';

/** A fake `temporal` that prints a version line, to steer the PATH rule without the real binary. */
function fakeCli(dir: string, versionLine: string): string {
  const path = join(dir, 'temporal');
  writeFileSync(path, `#!/bin/sh\necho "${versionLine}"\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('resolveTemporalCli', () => {
  const silent = (): void => undefined;
  const missingBin = join(mkdtempSync(join(tmpdir(), 'homeostat-nobuild-')), 'temporal');

  it('accepts dev servers from 1.29 on', () => {
    expect(isCompatibleVersion('temporal version 0.0.0-DEV (Server 1.29.1, UI 2.42.1)')).toBe(true);
    expect(isCompatibleVersion('temporal version 1.6.0 (Server 1.30.0, UI 2.44.0)')).toBe(true);
    expect(isCompatibleVersion('temporal version 1.1.0 (Server 1.25.1, UI 2.31.2)')).toBe(false);
    expect(isCompatibleVersion('garbage')).toBe(false);
  });

  it('uses TEMPORAL_CLI_PATH first, and says how to fix a wrong one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'homeostat-cli-'));
    const cli = fakeCli(dir, 'temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)');
    expect(resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: cli, PATH: '' }, log: silent })).toMatchObject({
      kind: 'path',
      path: cli,
      source: 'TEMPORAL_CLI_PATH',
    });
    expect(() => resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: join(dir, 'nope'), PATH: '' } })).toThrow(
      TemporalCliError,
    );
  });

  it('takes a compatible temporal on PATH and skips an old one', () => {
    const good = mkdtempSync(join(tmpdir(), 'homeostat-cli-'));
    fakeCli(good, 'temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)');
    expect(resolveTemporalCli({ env: { PATH: good }, log: silent, localBin: missingBin })).toMatchObject({
      source: 'PATH',
    });

    const old = mkdtempSync(join(tmpdir(), 'homeostat-cli-'));
    fakeCli(old, 'temporal version 1.1.0 (Server 1.25.1, UI 2.31.2)');
    const logs: string[] = [];
    const picked = resolveTemporalCli({ env: { PATH: old }, log: (m) => logs.push(m), localBin: missingBin });
    expect(picked.kind).toBe('sdk-download');
    expect(logs.join('\n')).toMatch(/ignoring .*Server 1.25.1/);
  });

  it('falls back to the SDK download with a message naming the fix when there is no Go', () => {
    const logs: string[] = [];
    const picked = resolveTemporalCli({ env: { PATH: '' }, log: (m) => logs.push(m), localBin: missingBin });
    expect(picked).toEqual({ kind: 'sdk-download', version: 'v1.5.1' });
    expect(logs.join('\n')).toMatch(/install Go .*or set TEMPORAL_CLI_PATH/);
  });

  it('would build the pinned CLI when Go is on PATH and there is no current build', () => {
    const goDir = mkdtempSync(join(tmpdir(), 'homeostat-go-'));
    writeFileSync(join(goDir, 'go'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(goDir, 'go'), 0o755);
    expect(resolveTemporalCli({ env: { PATH: goDir }, build: false, localBin: missingBin })).toMatchObject({
      kind: 'path',
      path: missingBin,
      source: 'local-build',
    });
  });
});

describe('runWithProgress', () => {
  // A stand-in for a long `go build`: Node itself, so the test needs no Go and takes under a second.
  const node = (code: string): [string, string[]] => [process.execPath, ['-e', code]];

  it('prints the elapsed time while the command runs, and lets its own output and exit code through', () => {
    const [cmd, args] = node(
      "console.error('own stderr'); setTimeout(() => { console.log('own stdout'); process.exit(3); }, 700);",
    );
    const res = runWithProgress(cmd, args, { label: '[test] building', everyMs: 100, stdio: 'pipe' });
    expect(res.status).toBe(3);
    expect(res.stdout).toContain('own stdout');
    expect(res.stderr).toContain('own stderr');
    // Time is the subject here (a line every `everyMs` while the command runs), so the command takes a
    // fixed 700 ms: room for 7 lines at 100 ms, of which 3 are asked for on a busy machine.
    const ticks = res.stderr.split('\n').filter((l) => /^\[test\] building… \d+ s$/.test(l));
    expect(ticks.length).toBeGreaterThanOrEqual(3);
  });

  it('ends the way the command ended: killed by the same signal, or 127 when it cannot start', () => {
    const [cmd, args] = node("process.kill(process.pid, 'SIGTERM'); setTimeout(() => undefined, 5000);");
    const killed = runWithProgress(cmd, args, { label: 'x', stdio: 'pipe' });
    expect(killed.signal).toBe('SIGTERM');

    const missing = runWithProgress('/nonexistent/go', ['build'], { label: 'y', stdio: 'pipe' });
    expect(missing.status).toBe(127);
    expect(missing.stderr).toMatch(/^y: .*ENOENT/m);
  });
});
