import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../workers/devServer';
import { freePort } from '../workers/ports';
import { ensureSearchAttributes } from '../workers/searchAttributes';
import { resolveTemporalCli } from '../workers/temporalCli';

export interface BenchServer {
  address: string;
  /** A temporary folder of this run, removed by stop(). */
  dir: string;
  connection: Connection;
  client: Client;
  stop(): Promise<void>;
}

/** A dev server of the bench's own on a free loopback port (temp SQLite file), search attributes registered. */
export async function startBenchServer(): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-bench-'));
  const server = await startDevServer({
    cli: resolveTemporalCli(),
    ip: '127.0.0.1',
    port: await freePort(),
    dbFile: join(dir, 'temporal.db'),
    logFile: join(dir, 'temporal.log'),
    namespace: 'default',
  });
  const connection = await Connection.connect({ address: server.address });
  await ensureSearchAttributes(connection, 'default');
  return {
    address: server.address,
    dir,
    connection,
    client: new Client({ connection, namespace: 'default' }),
    stop: async () => {
      await connection.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
