import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import type { IncidentReport } from '../../core/model/incidentState';
import { startDevServer, type RunningDevServer } from '../../workers/devServer';
import { freePort } from '../../workers/ports';
import { ensureSearchAttributes } from '../../workers/searchAttributes';
import { resolveTemporalCli } from '../../workers/temporalCli';
import { withWorker } from '../harness/env';
import { waitFor } from '../fleet/fleetHarness';
import {
  actionPrefix,
  expectEachActionOnce,
  firingAlert,
  incidentDeps,
  injectBadRelease,
  ledger,
  openIncident,
  useFleet,
} from './harness';

/**
 * The Temporal server itself is SIGKILLed mid-remediation (right after the fleet applied the canary
 * rollback) and restarted on the same SQLite file: the incident completes without repeating an action.
 */
describe('incident: Temporal server crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-server-crash-'));
  const fleet = useFleet();
  let server: RunningDevServer | undefined;
  let port: number;

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

  it('completes after a SIGKILL of the server mid-remediation', async () => {
    await injectBadRelease(fleet());

    const { report, prefix } = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        const prefix = actionPrefix(handle);
        await waitFor(
          'the canary action in the fleet ledger',
          async () => ((await ledger(fleet(), prefix)).length > 0 ? true : undefined),
          60_000,
          20,
        );
        process.kill(server!.pid!, 'SIGKILL');
        await server!.stop();
        server = await start();
        return { report: (await handle.result()) as IncidentReport, prefix };
      },
      { address: `127.0.0.1:${port}`, deps: incidentDeps(fleet()) },
    );

    expect(report.outcome).toBe('recovered');
    await expectEachActionOnce(fleet(), prefix, report);
  });
});
