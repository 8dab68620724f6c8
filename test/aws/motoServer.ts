import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MOTO_SERVER_BIN, MOTO_VERSION } from '../../scripts/setup.d/20-moto';
import { freePort } from '../../workers/ports';

/**
 * moto in server mode: a real AWS API implementation (ECS, ELBv2, CloudWatch, EC2…) on 127.0.0.1.
 * Each test file starts its own on a free port and stops it in afterAll, so state never leaks between
 * files and no server outlives the run.
 */

export interface MotoServer {
  endpoint: string;
  /** Fake credentials: moto accepts any, and nothing real is ever used in these tests. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  region: string;
  stop(): Promise<void>;
}

const SETPRIV = '/usr/bin/setpriv';

/**
 * MOTO_ECS_SERVICE_RUNNING makes moto report that many running tasks for a new service and mark its
 * deployment COMPLETED (moto never runs tasks itself). Every seeded service asks for this count.
 */
export const SEEDED_DESIRED_COUNT = 2;

export async function startMoto(): Promise<MotoServer> {
  if (!existsSync(MOTO_SERVER_BIN)) {
    throw new Error(`moto ${MOTO_VERSION} is not installed in .tools/venv: run \`npm run setup\` first`);
  }
  const port = await freePort();
  const args = ['-H', '127.0.0.1', '-p', String(port)];
  // With setpriv, moto gets SIGTERM if Jest dies without running afterAll: no orphan either way.
  const [cmd, argv] = existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'TERM', '--', MOTO_SERVER_BIN, ...args]]
    : [MOTO_SERVER_BIN, args];
  const child = spawn(cmd, argv, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH, MOTO_ECS_SERVICE_RUNNING: String(SEEDED_DESIRED_COUNT) },
  });
  const tail: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 20));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    })());

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(`${endpoint}/moto-api/`, exited, 30_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\nmoto_server said:\n${tail.map((l) => `  ${l}`).join('\n')}`, {
      cause: err,
    });
  }
  return {
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' },
    region: 'us-east-1',
    stop,
  };
}

async function waitUntilAnswering(url: string, exited: Promise<void>, timeoutMs: number): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error('moto_server exited during start-up');
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not answer ${url} within ${timeoutMs / 1000} s`);
}
