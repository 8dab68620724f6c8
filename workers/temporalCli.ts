import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';

/**
 * Finds or builds the `temporal` CLI that runs the embedded dev server.
 * Order: TEMPORAL_CLI_PATH; a compatible `temporal` on PATH; our pinned Go build under .tools/;
 * and, with no Go toolchain, the SDK's own download (the only step that needs the internet).
 */

export const PROJECT_ROOT = resolve(__dirname, '..');
export const PINNED_MODULE_DIR = join(PROJECT_ROOT, 'tools', 'temporal');
export const LOCAL_BIN = join(PROJECT_ROOT, '.tools', 'bin', 'temporal');
/** The CLI version the SDK downloads when nothing local can be had; matches tools/temporal/go.mod. */
export const PINNED_CLI_VERSION = 'v1.5.1';
/** Oldest dev server we accept from PATH: updates on by default and the search-attribute behaviour we rely on. */
const MIN_SERVER: readonly [number, number] = [1, 29];

export type TemporalCli =
  | { kind: 'path'; path: string; source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'local-build'; version: string }
  | { kind: 'sdk-download'; version: string };

export class TemporalCliError extends Error {
  override name = 'TemporalCliError';
}

/** `temporal --version` → "temporal version 0.0.0-DEV (Server 1.29.1, UI 2.42.1)"; undefined if it won't run. */
export function cliVersion(path: string): string | undefined {
  const out = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  return out.status === 0 ? out.stdout.trim() : undefined;
}

export function isCompatibleVersion(versionLine: string): boolean {
  const m = /Server (\d+)\.(\d+)\.\d+/.exec(versionLine);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > MIN_SERVER[0] || (major === MIN_SERVER[0] && minor >= MIN_SERVER[1]);
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Hash of the pinned module files: a changed pin means the local build is stale. */
function pinDigest(): string {
  const h = createHash('sha256');
  for (const f of ['go.mod', 'go.sum']) h.update(readFileSync(join(PINNED_MODULE_DIR, f)));
  return h.digest('hex');
}

/** The build is current when its stamp holds the digest of the pin it was built from. */
function localBuildIsCurrent(bin: string): boolean {
  const stamp = `${bin}.stamp`;
  return existsSync(bin) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === pinDigest();
}

/** How often a long build says it is still at work: often enough that nobody takes it for a hang. */
export const PROGRESS_EVERY_MS = 15_000;

/**
 * The waiting half of runWithProgress, run by a second Node process: it starts the command with the
 * same stdio, writes `<label>… <seconds> s` on stderr every interval, passes signals on, and ends the
 * way the command ended (same code, or killed by the same signal).
 */
const PROGRESS_SCRIPT = String.raw`
const { spawn } = require('node:child_process');
const { command, args, label, everyMs } = JSON.parse(process.argv[1]);
const started = Date.now();
const child = spawn(command, args, { stdio: 'inherit' });
const tick = setInterval(() => {
  process.stderr.write(label + '\u2026 ' + Math.round((Date.now() - started) / 1000) + ' s\n');
}, everyMs);
const forward = (signal) => child.kill(signal);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
child.on('error', (err) => {
  clearInterval(tick);
  process.stderr.write(label + ': ' + err.message + '\n');
  process.exit(127);
});
child.on('exit', (code, signal) => {
  clearInterval(tick);
  if (signal) {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(s, forward);
    process.kill(process.pid, signal);
    setTimeout(() => process.exit(1), 1000);
    return;
  }
  process.exit(code ?? 1);
});
`;

export interface ProgressOptions {
  /** Printed before the elapsed seconds, e.g. "[homeostat] building the Temporal CLI". */
  label: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  everyMs?: number;
  /** `inherit` (the default) shows the command's output as it comes; `pipe` returns it (tests). */
  stdio?: 'inherit' | 'pipe';
}

/**
 * Runs a command to its end and prints the elapsed time on stderr while it runs. Synchronous, because
 * resolveTemporalCli is and its callers rely on that; as spawnSync blocks this process, the ticking is
 * done by a small Node process that runs the command as its child (its output passes straight on).
 */
export function runWithProgress(
  command: string,
  args: string[],
  opts: ProgressOptions,
): SpawnSyncReturns<string> {
  const spec = JSON.stringify({
    command,
    args,
    label: opts.label,
    everyMs: opts.everyMs ?? PROGRESS_EVERY_MS,
  });
  return spawnSync(process.execPath, ['-e', PROGRESS_SCRIPT, '--', spec], {
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    env: opts.env ?? process.env,
    stdio: opts.stdio === 'pipe' ? 'pipe' : ['ignore', 'inherit', 'inherit'],
    encoding: 'utf8',
  });
}

/**
 * Builds cmd/temporal from the pinned module into .tools/bin, once. It took 5 min 23 s on 2 cores shared
 * with other work (module downloads included); expect 2 to 6 minutes, so it reports progress as it goes.
 */
export function buildLocal(go: string, bin: string, log: (msg: string) => void): void {
  mkdirSync(dirname(bin), { recursive: true });
  // Per process: two setups building at once (a test run beside `npm start`) each rename a whole binary.
  const tmp = `${bin}.partial-${process.pid}`;
  log(
    `building the Temporal CLI ${PINNED_CLI_VERSION} from tools/temporal ` +
      '(first run only; 2 to 6 minutes on 2 cores)…',
  );
  const started = Date.now();
  const res = runWithProgress(
    go,
    ['build', '-trimpath', '-ldflags=-s -w', '-o', tmp, 'github.com/temporalio/cli/cmd/temporal'],
    {
      label: '[homeostat] building the Temporal CLI',
      cwd: PINNED_MODULE_DIR,
      env: { ...process.env, CGO_ENABLED: '0' },
    },
  );
  if (res.status !== 0) {
    throw new TemporalCliError(
      `go build of github.com/temporalio/cli/cmd/temporal failed (exit ${res.status ?? res.signal}). ` +
        'The output above has the reason; the Go module proxy must be reachable for the first build.',
    );
  }
  renameSync(tmp, bin); // atomic: a half-written binary is never mistaken for a good one
  writeFileSync(`${bin}.stamp`, `${pinDigest()}\n`);
  log(`built ${bin} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  /** Build the pinned CLI when it is missing; false only reports what would happen. */
  build?: boolean;
  log?: (msg: string) => void;
  /** Where the pinned build lives; tests point it elsewhere. */
  localBin?: string;
}

export function resolveTemporalCli(opts: ResolveOptions = {}): TemporalCli {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((m: string) => console.error(`[homeostat] ${m}`));
  const localBin = opts.localBin ?? LOCAL_BIN;

  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    const version = cliVersion(explicit);
    if (!version) {
      throw new TemporalCliError(
        `TEMPORAL_CLI_PATH=${explicit} does not run (\`${explicit} --version\` failed). ` +
          'Point it at a temporal CLI binary, or unset it to use the pinned local build.',
      );
    }
    return { kind: 'path', path: explicit, source: 'TEMPORAL_CLI_PATH', version };
  }

  const fromPath = onPath('temporal', env);
  if (fromPath) {
    const version = cliVersion(fromPath);
    if (version && isCompatibleVersion(version))
      return { kind: 'path', path: fromPath, source: 'PATH', version };
    log(`ignoring ${fromPath} (${version ?? 'does not run'}): need server ${MIN_SERVER.join('.')} or newer`);
  }

  if (localBuildIsCurrent(localBin)) {
    return {
      kind: 'path',
      path: localBin,
      source: 'local-build',
      version: cliVersion(localBin) ?? 'unknown',
    };
  }

  const go = onPath('go', env);
  if (go) {
    if (opts.build === false)
      return { kind: 'path', path: localBin, source: 'local-build', version: 'not built yet' };
    buildLocal(go, localBin, log);
    return {
      kind: 'path',
      path: localBin,
      source: 'local-build',
      version: cliVersion(localBin) ?? 'unknown',
    };
  }

  log(
    'no Go toolchain and no temporal CLI found: the SDK will download the Temporal CLI ' +
      `${PINNED_CLI_VERSION} (needs internet). To build it locally instead, install Go 1.24+ ` +
      '(https://go.dev/doc/install) or set TEMPORAL_CLI_PATH.',
  );
  return { kind: 'sdk-download', version: PINNED_CLI_VERSION };
}

/** One line for logs: which CLI is used and why. */
export function describeCli(cli: TemporalCli): string {
  return cli.kind === 'path'
    ? `${cli.path} [${cli.source}] ${cli.version}`
    : `SDK download of ${cli.version}`;
}
