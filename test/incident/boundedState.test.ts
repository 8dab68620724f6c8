import type { WorkflowHandle } from '@temporalio/client';
import type { AlertBatch } from '../../core/model/incident';
import type { IncidentReport, IncidentState } from '../../core/model/incidentState';
import { abortUpdate, alertSignal, approveSignal } from '../../workflows/api';
import { SA_SERVICE } from '../../workflows/searchAttributes';
import { MAX_REFUSALS, MAX_TIMELINE, MAX_TRACKED_ALERTS } from '../../workflows/incident/state';
import { testActivityDeps, withWorker } from '../harness/env';
import { maybeRecordHistory } from '../harness/histories';
import { firingAlert, openIncident, waitForState } from './harness';

/** Alerts per signal, and signals: 10,000 alerts joined to one incident, in 5,000 deliveries. */
const ALERTS_PER_SIGNAL = 2;
const ALERT_SIGNALS = 5_000;
const REFUSED_SIGNALS = 1_000;
/**
 * Signals in flight at once. A flood faster than a workflow task keeps the continuing task refused (each
 * new signal must be handled first), so a run overshoots by what arrives until the flood pauses; a few
 * webhook deliveries at a time is what one incident sees from Alertmanager.
 */
const CONCURRENCY = 4;

/** Sends `count` signals built by `make`, CONCURRENCY at a time. */
async function storm(count: number, make: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await make(next++);
    }),
  );
}

/** Each run of the incident (it continues as new when its history grows), with its history length. */
async function runs(handle: WorkflowHandle): Promise<number[]> {
  const lengths: number[] = [];
  for await (const wf of handle.client.list({ query: `WorkflowId = "${handle.workflowId}"` }))
    lengths.push(wf.historyLength);
  return lengths;
}

/**
 * A storm against one incident: 10,000 joined alerts and 1,000 refused approvals. Each is an event in
 * history, so the incident must continue as new when the server suggests it (4,096 events by default),
 * and its state must stay the same size whatever arrives: counts grow, lists do not.
 */
describe('incident: bounded state under a storm of signals', () => {
  it('keeps every run within the server’s history suggestion and the state within a fixed size', async () => {
    const { report, final, service, lengths } = await withWorker(
      async ({ client, taskQueue }) => {
        const first = firingAlert('storm');
        const handle = await openIncident(client, taskQueue, first);
        await waitForState(handle, 'triage with a policy', (s) => s.phase === 'triage' && !!s.policy);

        await storm(ALERT_SIGNALS, async (i) => {
          const batch: AlertBatch = {
            alerts: Array.from({ length: ALERTS_PER_SIGNAL }, (_, j) => ({
              ...firingAlert('storm'),
              fingerprint: `storm-${i}-${j}`,
            })),
            receivedAt: new Date().toISOString(),
          };
          await handle.signal(alertSignal, batch);
        });
        await storm(REFUSED_SIGNALS, async () => {
          await handle.signal(approveSignal, { by: 'mallory', reason: 'let me in' });
        });

        const total = 1 + ALERT_SIGNALS * ALERTS_PER_SIGNAL;
        const final: IncidentState = await waitForState(
          handle,
          'every signal applied',
          (s) => s.alertsSeen === total && (s.refusalsDropped ?? 0) + refusals(s) === REFUSED_SIGNALS,
          300_000,
        );
        await handle.executeUpdate(abortUpdate, { args: [{ by: 'sre', reason: 'storm test over' }] });
        const report = (await handle.result()) as IncidentReport;
        const service = (await handle.describe()).typedSearchAttributes.get(SA_SERVICE);
        // The newest run: it resumed the triage wait from the state the storm's runs carried into it.
        await maybeRecordHistory(client, handle.workflowId, 'continued-run-aborted');
        return { report, final, service, lengths: await waitForRuns(handle, (final.runsContinued ?? 0) + 1) };
      },
      {
        deps: {
          ...testActivityDeps(),
          approvers: ['sre'],
          incidents: { ...testActivityDeps().incidents, triageSeconds: 3600 },
        },
      },
    );

    // Counts are exact…
    expect(final.alertsSeen).toBe(1 + ALERT_SIGNALS * ALERTS_PER_SIGNAL);
    expect(final.firingAlerts.length + (final.firingUntracked ?? 0)).toBe(
      1 + ALERT_SIGNALS * ALERTS_PER_SIGNAL,
    );
    expect(refusals(final) + (final.refusalsDropped ?? 0)).toBe(REFUSED_SIGNALS);
    // …the lists are not.
    expect(final.firingAlerts).toHaveLength(MAX_TRACKED_ALERTS);
    expect(final.timeline.length).toBeLessThanOrEqual(MAX_TIMELINE);
    expect(refusals(final)).toBe(MAX_REFUSALS);
    expect(JSON.stringify(final).length).toBeLessThan(64 * 1024);
    // The incident continued as new rather than growing one history: it decides to at 1,000 events, and
    // every run stays within the server's own suggestion (4,096 events). The storm alone is more.
    console.log(`storm: runs of ${lengths.join(', ')} events`);
    expect(final.runsContinued).toBeGreaterThanOrEqual(1);
    expect(lengths).toHaveLength((final.runsContinued ?? 0) + 1);
    expect(lengths.reduce((a, b) => a + b, 0)).toBeGreaterThan(ALERT_SIGNALS + REFUSED_SIGNALS);
    for (const length of lengths) expect(length).toBeLessThan(4_096);
    // The newest run still carries the search attributes the first one set.
    expect(service).toBe('storm');
    // A storm does not make it act: the abort ends it, and the report is bounded too.
    expect(report.outcome).toBe('aborted');
    expect(report.steps).toEqual([]);
    expect(JSON.stringify(report).length).toBeLessThan(64 * 1024);
  }, 600_000);
});

const refusals = (s: IncidentState): number => s.approvals.filter((a) => a.kind === 'reject').length;

/** Visibility lags a moment behind the runs: wait until it lists all of them, closed. */
async function waitForRuns(handle: WorkflowHandle, expected: number): Promise<number[]> {
  for (let i = 0; i < 100; i++) {
    const lengths = await runs(handle);
    if (lengths.length >= expected && lengths.every((l) => l > 0)) return lengths;
    await new Promise((r) => setTimeout(r, 200));
  }
  return await runs(handle);
}
