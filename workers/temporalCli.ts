import { spawnSync } from 'node:child_process';
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

/** Builds cmd/temporal from the pinned module into .tools/bin (about 2–3 minutes on 2 cores, once). */
export function buildLocal(go: string, bin: string, log: (msg: string) => void): void {
  mkdirSync(dirname(bin), { recursive: true });
  const tmp = `${bin}.partial`;
  log(`building the Temporal CLI ${PINNED_CLI_VERSION} from tools/temporal (first run only, ~3 min)…`);
  const started = Date.now();
  const res = spawnSync(
    go,
    ['build', '-trimpath', '-ldflags=-s -w', '-o', tmp, 'github.com/temporalio/cli/cmd/temporal'],
    {
      cwd: PINNED_MODULE_DIR,
      stdio: ['ignore', 'inherit', 'inherit'],
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
