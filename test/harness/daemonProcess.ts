import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../workers/ports';

const SETPRIV = '/usr/bin/setpriv';

/** A server binary a test runs as its own child (Prometheus, Alertmanager). */
export interface DaemonSpec {
  /** Short name, for errors and the temp dir's prefix. */
  name: string;
  bin: string;
  /** The scripts/setup.d step that installs `bin`, named in the error when it is missing. */
  setupStep: string;
  /**
   * Writes the daemon's config into `dir` (a fresh temp dir, removed on stop) and returns its flags;
   * `listen` is the `127.0.0.1:<free port>` address it must serve on.
   */
  prepare(dir: string, listen: string): string[];
  /** HTTP path that answers 2xx once the daemon is ready, e.g. `/-/ready`. */
  readyPath: string;
  /** How long to wait for readiness; generous because the machine may be loaded. Default 30 s. */
  readyTimeoutMs?: number;
}

export interface RunningDaemon {
  url: string;
  /** SIGTERM, then SIGKILL after 5 s; removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts `spec.bin` on a free loopback port and resolves once its ready path answers. Spawned under
 * setpriv's parent-death signal (where setpriv exists), so it cannot outlive the test process even if
 * jest is killed before `stop`.
 */
export async function startDaemon(spec: DaemonSpec): Promise<RunningDaemon> {
  const { name, bin } = spec;
  if (!existsSync(bin))
    throw new Error(`${bin} is missing: run \`npm run setup -- --tests\` (${spec.setupStep})`);
  const dir = mkdtempSync(join(tmpdir(), `homeostat-${name}-`));
  const port = await freePort();
  const args = spec.prepare(dir, `127.0.0.1:${port}`);
  const [cmd, argv] = existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'TERM', '--', bin, ...args]]
    : [bin, args];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    })());

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (spec.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`${name} exited (${child.exitCode}) while starting:\n${output}`);
    }
    try {
      if ((await fetch(`${url}${spec.readyPath}`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not become ready on ${url}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
