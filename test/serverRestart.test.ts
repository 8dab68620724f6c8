import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type RunningDevServer } from '../workers/devServer';
import { freePort } from '../workers/ports';
import { resolveTemporalCli } from '../workers/temporalCli';
import { stackSelfCheck } from '../workflows/selfCheck';
import { withWorker } from './harness/env';

/**
 * A server of its own (the shared one must not restart under other tests): start a workflow with no
 * worker polling, SIGKILL the server, start it again on the same SQLite file, and only then run a
 * worker — the workflow must still be there and complete.
 */
describe('the dev server on a SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-restart-'));
  const dbFile = join(dir, 'temporal.db');
  let server: RunningDevServer | undefined;

  const start = async (port: number): Promise<RunningDevServer> =>
    await startDevServer({
      cli: resolveTemporalCli({ build: false }),
      ip: '127.0.0.1',
      port,
      dbFile,
      logFile: join(dir, 'temporal.log'),
      namespace: 'default',
    });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a workflow across a SIGKILL of the server', async () => {
    const port = await freePort();
    server = await start(port);
    const taskQueue = `restart-${randomUUID()}`;
    const workflowId = `survivor-${randomUUID()}`;

    const before = await Connection.connect({ address: server.address });
    const started = await new Client({ connection: before }).workflow.start(stackSelfCheck, {
      taskQueue,
      workflowId,
    });
    await before.close();

    process.kill(server.pid!, 'SIGKILL');
    await server.stop(); // reaps the killed process
    server = await start(port);

    const result = await withWorker(
      async ({ client }) => {
        const handle = client.workflow.getHandle(workflowId, started.firstExecutionRunId);
        return await handle.result();
      },
      { address: server.address, taskQueue },
    );
    expect(result.workflowId).toBe(workflowId);
  });
});
