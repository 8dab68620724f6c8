import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { IncidentReport } from '../../core/model/incidentState';
import { notifyConfigSchema } from '../../core/model/notifyConfig';
import { createNotificationSetup } from '../../providers/notifiers';
import { verifyStandardWebhook } from '../../triggers/auth/standardWebhooks';
import { freePorts } from '../../workers/ports';
import { waitFor } from '../fleet/fleetHarness';
import { withWorker } from '../harness/env';
import { approveUpdate } from '../../workflows/api';
import {
  fastCatalog,
  firingAlert,
  incidentDeps,
  injectBadRelease,
  openIncident,
  useFleet,
  waitForState,
} from '../incident/harness';
import { startRecorder, type Delivery, type Recorder } from './recorder';

/** The fast catalog, with the bad-release rollback asking a human first (an approval-needed event). */
function approvalCatalog() {
  const catalog = fastCatalog();
  return {
    ...catalog,
    playbooks: catalog.playbooks.map((p) =>
      p.name === 'rollback-bad-release'
        ? { ...p, requiresApproval: true, approvalReason: 'test: ask first' }
        : p,
    ),
  };
}

const json = (d: Delivery) => JSON.parse(d.body) as Record<string, unknown>;

/** Per notify activity type: how many were scheduled and how many of those completed. */
async function notifyActivities(handle: WorkflowHandle) {
  const { events } = await handle.fetchHistory();
  const typeOf = new Map<number, string>();
  const counts: Record<string, { scheduled: number; completed: number }> = {};
  for (const e of events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name?.startsWith('notify')) {
      const name = scheduled.activityType.name;
      typeOf.set(Number(e.eventId), name);
      (counts[name] ??= { scheduled: 0, completed: 0 }).scheduled++;
    }
    const done = e.activityTaskCompletedEventAttributes;
    const name = done && typeOf.get(Number(done.scheduledEventId));
    if (name) counts[name]!.completed++;
  }
  return counts;
}

/**
 * One bad-release incident on the local fleet, told to four places: Slack and PagerDuty stand-ins, a
 * signed webhook that fails twice (500, then 429 with Retry-After) before it recovers, and a webhook
 * that is down for good. Routes keep a fifth (payments only / critical only) silent.
 */
describe('notifications of an incident', () => {
  const fleet = useFleet();
  const recorders: Recorder[] = [];
  afterEach(async () => {
    await Promise.all(recorders.splice(0).map((r) => r.close()));
  });

  it('reach every receiver once per event, in order, and never slow or fail the recovery', async () => {
    const slack = await startRecorder();
    const pagerduty = await startRecorder({ ok: { status: 202, body: '{"status":"success"}' } });
    const webhook = await startRecorder({ script: [{ status: 500 }, { status: 429, retryAfter: '1' }] });
    const elsewhere = await startRecorder();
    recorders.push(slack, pagerduty, webhook, elsewhere);
    const [deadPort] = await freePorts(1);
    const secrets = [0, 1].map(() => `whsec_${randomBytes(24).toString('base64')}`);
    const closeWaitSeconds = 3;
    const setup = createNotificationSetup(
      notifyConfigSchema.parse({
        closeWaitSeconds,
        slack: { webhookUrl: slack.url },
        pagerduty: { routingKey: 'test-routing-key', eventsUrl: pagerduty.url },
        webhook: { url: webhook.url, secrets },
        notifiers: [
          { kind: 'webhook', name: 'dead', url: `http://127.0.0.1:${deadPort}/hook`, secrets },
          { kind: 'slack', name: 'payments-team', webhookUrl: elsewhere.url, services: ['payments'] },
          { kind: 'slack', name: 'critical-only', webhookUrl: elsewhere.url, minSeverity: 'critical' },
        ],
      }),
      'http://127.0.0.1:8233',
    );
    await injectBadRelease(fleet());

    const { report, handle, firstRunId, finishedAt, activities } = await withWorker(
      async ({ client, taskQueue }) => {
        const handle = await openIncident(client, taskQueue, firingAlert('checkout'));
        const firstRunId = (await handle.describe()).runId;
        await waitForState(handle, 'awaiting approval', (st) => st.phase === 'awaiting-approval');
        await handle.executeUpdate(approveUpdate, { args: [{ by: 'alice', reason: 'the release is bad' }] });
        const report = (await handle.result()) as IncidentReport;
        const finishedAt = Date.now();
        return { report, handle, firstRunId, finishedAt, activities: await notifyActivities(handle) };
      },
      {
        deps: incidentDeps(fleet(), {
          notifications: setup,
          approvers: ['alice'],
          catalog: approvalCatalog(),
        }),
      },
    );

    // The recovery itself, as without notifications.
    expect(report.outcome).toBe('recovered');
    expect(report.steps.map((s) => s.status)).toEqual(['done', 'done']);
    console.log(
      `incident ${report.durationSeconds} s open to close; completed ${finishedAt - Date.parse(report.closedAt)} ms after closing`,
    );
    // The dead receiver held up nothing mid-incident: every notification during it was still retrying
    // (none completed) when the incident recovered…
    expect(activities.notifyIncident).toEqual({ scheduled: 4, completed: 0 });
    // …and the closing one, awaited, was given up after closeWaitSeconds, noted, outcome untouched.
    expect(activities.notifyIncidentClosed).toEqual({ scheduled: 1, completed: 1 });
    const lag = finishedAt - Date.parse(report.closedAt);
    expect(lag).toBeGreaterThanOrEqual((closeWaitSeconds - 1) * 1000);
    expect(lag).toBeLessThan((closeWaitSeconds + 7) * 1000);
    expect(report.timeline.map((t) => t.event)).toContain(
      'could not notify how the incident ended: not delivered to dead',
    );

    const incidentKey = `${handle.workflowId}/${firstRunId}`;
    const kinds = ['opened', 'approval-needed', 'action-taken', 'action-taken', 'recovered'];

    // Slack: one message per event, in order, each with its text fallback and blocks.
    const slackBodies = slack.accepted().map(json);
    expect(slackBodies.map((b) => (b.blocks as Array<{ text?: { text: string } }>)[0]!.text!.text)).toEqual([
      'Opened: checkout',
      'Approval needed: checkout',
      'Action taken: checkout',
      'Action taken: checkout',
      'Recovered: checkout',
    ]);
    for (const b of slackBodies) expect(b.text).toEqual(expect.stringContaining('checkout'));
    expect(slackBodies[1]!.text).toContain(
      `npx homeostat approve ${handle.workflowId} --by <who> --reason <why>`,
    );
    expect(JSON.stringify(slackBodies[1])).toContain(`npx homeostat abort ${handle.workflowId} --by <who>`);
    expect(JSON.stringify(slackBodies[0])).toContain(
      `/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`,
    );

    // PagerDuty: trigger (opened, then approval needed) → acknowledge (each action) → resolve, one dedup key.
    const pd = pagerduty.accepted().map(json);
    expect(pd.map((b) => b.event_action)).toEqual([
      'trigger',
      'trigger',
      'acknowledge',
      'acknowledge',
      'resolve',
    ]);
    expect(new Set(pd.map((b) => b.dedup_key))).toEqual(new Set([incidentKey]));
    expect(pd.every((b) => b.routing_key === 'test-routing-key')).toBe(true);

    // The flaky webhook: every delivery signed (both secrets), each event accepted exactly once by id,
    // none lost; the 500 and the 429 were retried (the 429 not before its Retry-After).
    await waitFor('every event at the flaky webhook', async () =>
      webhook.accepted().length >= kinds.length ? true : undefined,
    );
    for (const d of webhook.deliveries)
      for (const s of secrets)
        expect(() =>
          verifyStandardWebhook(d.headers, Buffer.from(d.body), [s], new Date(), 300),
        ).not.toThrow();
    expect(webhook.deliveries.slice(0, 2).map((d) => d.status)).toEqual([500, 429]);
    expect(webhook.deliveries[2]!.at - webhook.deliveries[1]!.at).toBeGreaterThanOrEqual(950);
    const ids = webhook.accepted().map((d) => d.headers['webhook-id'] as string);
    expect(new Set(ids).size).toBe(ids.length);
    const byTime = webhook
      .accepted()
      .map(json)
      .sort((a, b) => String(a.timestamp).localeCompare(String(b.timestamp)));
    expect(byTime.map((b) => b.type)).toEqual(kinds.map((k) => `incident.${k}`));
    expect(ids).toContain(`${incidentKey}/opened`);
    expect(ids).toContain(`${incidentKey}/approval/p1/s0/d0`);
    expect(ids).toContain(`${incidentKey}/recovered`);

    // Routes: neither the payments-only nor the critical-only notifier heard of a high checkout incident.
    expect(elsewhere.deliveries).toEqual([]);
  });
});
