import type { Client, WorkflowHandle } from '@temporalio/client';
import { governorWorkflowId, type GovernorState } from '../../core/model/governor';
import type { IncidentReport } from '../../core/model/incidentState';
import { governorQuery } from '../../workflows/governorApi';
import type { TestFleet } from '../fleet/fleetHarness';
import { activityRuns } from './crashPoints';
import { deployByHand, injectBadRelease, injectFault, waitForCalm } from './harness';

/**
 * What the failure-path tests share. Each failure is caused the way it happens in production (a second
 * fault the chosen action cannot cure, a control plane that refuses one change, a person deploying
 * during the incident), never by writing a result into Homeostat's own state.
 *
 * Diagnosis judges errors against the quiet quartile of the last two minutes, so a file whose checkout
 * errs for most of two minutes hides the next bad release: the long failures run in files of their own.
 */

export async function checkoutReleases(fleet: TestFleet): Promise<string[]> {
  return (await fleet.providers.remediation.describe('checkout')).targets.map((t) => t.release);
}

/** Checkout calm, then a bad release of it: returns the bad release. */
export async function badCheckout(fleet: TestFleet): Promise<string> {
  await waitForCalm(fleet, 'checkout');
  await injectBadRelease(fleet);
  return (await checkoutReleases(fleet))[0]!;
}

/** Every replica's cache goes bad: requests fail whatever release serves them, and no rollback cures it. */
export async function corruptCheckoutCaches(fleet: TestFleet): Promise<void> {
  await injectFault(fleet, 'checkout', 'corrupted-cache');
}

/**
 * Checkout back on v1 and calm inside a test (between tests the fleet reset does it); a deploy replaces
 * every replica, so it also clears corrupted caches.
 */
export async function resetCheckout(fleet: TestFleet): Promise<void> {
  await deployByHand(fleet, 'checkout', 'v1', 'test-reset');
  await waitForCalm(fleet, 'checkout');
}

export function timelineText(report: IncidentReport): string {
  return report.timeline.map((t) => t.event).join('\n');
}

export async function governorState(client: Client, taskQueue: string): Promise<GovernorState> {
  return await client.workflow.getHandle(governorWorkflowId(taskQueue)).query(governorQuery);
}

/** The attempt each executeAction of the incident ended on, in the order they were scheduled. */
export async function actionAttempts(handle: WorkflowHandle): Promise<number[]> {
  return (await activityRuns(handle)).filter((r) => r.type === 'executeAction').map((r) => r.attempt);
}
