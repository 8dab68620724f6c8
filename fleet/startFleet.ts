import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CONTROL_ENV } from './controlMain.env';
import { exitOf, spawnChild, stopChild } from './spawnChild';

export interface StartFleetOptions {
  /** Where the fleet keeps its state file; reuse it to keep state across restarts. */
  stateDir: string;
  /** Control API port; 0 picks a free one. */
  controlPort: number;
  replicasPerService?: number;
  /** Steady synthetic load on `web`, requests a second (0 = none). */
  loadRps?: number;
  /** Metric history kept, in seconds (default 30 min). */
  windowSeconds?: number;
  startTimeoutMs?: number;
}

export interface RunningFleet {
  controlUrl: string;
  proxies: Record<string, string>;
  /** The control process's pid (its replicas are its children). */
  pid: number;
  /** Stops the control process and, through it, every replica. Safe to call twice. */
  stop(): Promise<void>;
}

const REPO_ROOT = resolve(__dirname, '..');
const CONTROL_MAIN = join(__dirname, 'controlMain.ts');

/** Starts the fleet's control process as a child and resolves once its control API serves. */
export async function startFleet(opts: StartFleetOptions): Promise<RunningFleet> {
  const child = spawnChild(process.execPath, ['--import', 'tsx', CONTROL_MAIN], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      [CONTROL_ENV.stateDir]: resolve(opts.stateDir),
      [CONTROL_ENV.port]: String(opts.controlPort),
      [CONTROL_ENV.replicas]: String(opts.replicasPerService ?? 3),
      [CONTROL_ENV.loadRps]: String(opts.loadRps ?? 30),
      [CONTROL_ENV.windowSeconds]: String(opts.windowSeconds ?? 1_800),
      [CONTROL_ENV.watchStdin]: '1',
    },
  });
  const tail: string[] = [];
  let ready = false;
  child.stderr?.on('data', (chunk: Buffer) => {
    // While starting, problems travel in the thrown error; once up, the fleet's complaints show live.
    if (ready) process.stderr.write(chunk);
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 20));
  });
  const exited = exitOf(child);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= stopChild(child, 15_000));

  const readyLine = new Promise<{ controlUrl: string; proxies: Record<string, string>; pid: number }>(
    (resolveReady) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('READY ')) resolveReady(JSON.parse(line.slice(6)) as never);
      });
    },
  );
  const timeoutMs = opts.startTimeoutMs ?? 90_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const info = await Promise.race([
      readyLine,
      exited.then((code) => {
        throw new Error(`the fleet control process exited (${code}) while starting:\n${tail.join('\n')}`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`the fleet did not start within ${timeoutMs / 1000} s:\n${tail.join('\n')}`)),
          timeoutMs,
        );
      }),
    ]);
    ready = true;
    return { ...info, stop };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
