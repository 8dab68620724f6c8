import type { IncidentReport } from '../../core/model/incidentState';
import { useCrashableServer } from '../harness/crashableServer';
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
  const server = useCrashableServer('server-crash');
  const fleet = useFleet();

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
        await server.crash();
        return { report: (await handle.result()) as IncidentReport, prefix };
      },
      { address: server.address, deps: incidentDeps(fleet()) },
    );

    expect(report.outcome).toBe('recovered');
    await expectEachActionOnce(fleet(), prefix, report);
  });
});
