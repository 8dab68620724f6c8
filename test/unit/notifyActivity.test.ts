import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { notifyActivities } from '../../activities/notify';
import type { ActivityDeps } from '../../activities/deps';
import {
  CLOSING_NOTIFY_TIMEOUT_SECONDS,
  MAX_CLOSE_WAIT_SECONDS,
  type IncidentNotification,
} from '../../core/model/notification';
import { notifyConfigSchema, type NotifyConfigInput } from '../../core/model/notifyConfig';
import { createNotificationSetup } from '../../providers/notifiers';
import { SEND_TIMEOUT_MS } from '../../providers/notifiers/http';
import { startRecorder, type Recorder, type ScriptedAnswer } from '../notify/recorder';

const event = (kind: IncidentNotification['kind']): IncidentNotification => ({
  id: `incident:checkout/run-1/${kind}`,
  kind,
  workflowId: 'incident:checkout',
  firstRunId: 'run-1',
  service: 'checkout',
  severity: 'high',
  title: 'HighErrorRate',
  at: new Date().toISOString(),
  detail: 'errors above 20%',
});

/** The notify activities on two receivers: a healthy PagerDuty stand-in and a webhook with a script. */
async function setUp(script: ScriptedAnswer[], extra: Partial<NotifyConfigInput> = {}) {
  const pagerduty = await startRecorder({ ok: { status: 202, body: '{}' } });
  const webhook = await startRecorder({ script });
  recorders.push(pagerduty, webhook);
  const setup = createNotificationSetup(
    notifyConfigSchema.parse({
      pagerduty: { routingKey: 'k', eventsUrl: pagerduty.url },
      webhook: { url: webhook.url, secrets: [`whsec_${randomBytes(24).toString('base64')}`] },
      ...extra,
    }),
  );
  const activities = notifyActivities({ notifications: setup } as ActivityDeps);
  const env = new MockActivityEnvironment();
  return { pagerduty, webhook, activities, env };
}

const recorders: Recorder[] = [];
afterEach(async () => {
  await Promise.all(recorders.splice(0).map((r) => r.close()));
});

describe('notify activity', () => {
  it('a retry sends only to the notifier that failed, after its Retry-After', async () => {
    const { pagerduty, webhook, activities, env } = await setUp([{ status: 429, retryAfter: '2' }]);
    const failure = await env.run(activities.notifyIncident, event('opened')).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: false, nextRetryDelay: '2 seconds' });
    // The retry (Temporal would wait the 2 s): PagerDuty already has it and is not sent it again.
    const report = await env.run(activities.notifyIncident, event('opened'));
    expect(report).toEqual({ delivered: ['pagerduty', 'webhook'], failed: [] });
    expect(pagerduty.deliveries).toHaveLength(1);
    expect(webhook.deliveries.map((d) => d.status)).toEqual([429, 200]);
    // The webhook's Retry-After held its rate limit: the second send waited for it.
    expect(webhook.deliveries[1]!.at - webhook.deliveries[0]!.at).toBeGreaterThanOrEqual(1900);
  });

  it('does not retry a request the receiver refuses for good', async () => {
    const { activities, env } = await setUp([{ status: 400 }]);
    const failure = await env.run(activities.notifyIncident, event('opened')).catch((e: unknown) => e);
    expect(failure).toMatchObject({ nonRetryable: true, type: 'NotificationFailed' });
  });

  it('retries a closing event until closeWaitSeconds, then reports what was missed', async () => {
    const { pagerduty, webhook, activities, env } = await setUp(
      Array.from({ length: 20 }, () => ({ status: 503 })),
      { closeWaitSeconds: 2 },
    );
    const started = Date.now();
    const report = await env.run(activities.notifyIncidentClosed, event('recovered'));
    const took = Date.now() - started;
    expect(report).toEqual({ delivered: ['pagerduty'], failed: ['webhook'] });
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(4000);
    expect(webhook.deliveries.length).toBeGreaterThanOrEqual(2); // retried with backoff, not hammered
    expect(webhook.deliveries.length).toBeLessThanOrEqual(4);
    expect(pagerduty.deliveries.map((d) => JSON.parse(d.body).event_action)).toEqual(['resolve']);
  });

  it('drops a PagerDuty trigger that arrives after the incident was resolved (it would reopen it)', async () => {
    const { pagerduty, activities, env } = await setUp([]);
    await env.run(activities.notifyIncidentClosed, event('recovered'));
    await env.run(activities.notifyIncident, event('opened'));
    expect(pagerduty.deliveries.map((d) => JSON.parse(d.body).event_action)).toEqual(['resolve']);
  });

  it('with production defaults, a closing event gives up well within its activity timeout', () => {
    const defaults = notifyConfigSchema.parse({});
    expect(defaults.closeWaitSeconds).toBe(30);
    // The longest allowed wait, one more send and its rate-limit wait still end before start-to-close.
    expect(MAX_CLOSE_WAIT_SECONDS + SEND_TIMEOUT_MS / 1000 + 10).toBeLessThan(CLOSING_NOTIFY_TIMEOUT_SECONDS);
    expect(() => notifyConfigSchema.parse({ closeWaitSeconds: MAX_CLOSE_WAIT_SECONDS + 1 })).toThrow();
  });
});
