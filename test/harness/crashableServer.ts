import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { startDevServer, type RunningDevServer } from '../../workers/devServer';
import { freePort } from '../../workers/ports';
import { ensureSearchAttributes } from '../../workers/searchAttributes';
import { resolveTemporalCli } from '../../workers/temporalCli';

/** A dev server of a test file's own, which the file may SIGKILL (the shared one must not die under others). */
export interface CrashableServer {
  /** host:port; the same across crashes. */
  readonly address: string;
  /** A temporary folder of the file's, removed after its last test. */
  readonly dir: string;
  /** SIGKILLs the server and starts it again on the same SQLite file and port. */
  crash(): Promise<void>;
}

/**
 * Starts the server before the file's first test (search attributes registered, as `npm start` does)
 * and stops it, its folder removed, after the last.
 */
export function useCrashableServer(name: string): CrashableServer {
  const dir = mkdtempSync(join(tmpdir(), `homeostat-${name}-`));
  let server: RunningDevServer | undefined;
  let port = 0;
  const start = async (): Promise<RunningDevServer> =>
    await startDevServer({
      cli: resolveTemporalCli({ build: false }),
      ip: '127.0.0.1',
      port,
      dbFile: join(dir, 'temporal.db'),
      logFile: join(dir, 'temporal.log'),
      namespace: 'default',
    });

  beforeAll(async () => {
    port = await freePort();
    server = await start();
    const connection = await Connection.connect({ address: server.address });
    await ensureSearchAttributes(connection, 'default');
    await connection.close();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get address() {
      return `127.0.0.1:${port}`;
    },
    dir,
    crash: async () => {
      process.kill(server!.pid!, 'SIGKILL');
      await server!.stop();
      server = await start();
    },
  };
}
