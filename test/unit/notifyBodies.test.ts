import { randomBytes } from 'node:crypto';
import type { IncidentNotification } from '../../core/model/notification';
import { renderMessage, headerSafe } from '../../providers/notifiers/message';
import { pagerDutyBody } from '../../providers/notifiers/pagerduty';
import { slackBody } from '../../providers/notifiers/slack';
import { signedHeaders, webhookBody } from '../../providers/notifiers/standardWebhook';
import { TokenBucket } from '../../providers/notifiers/rateLimit';
import { routeMatches } from '../../providers/notifiers';
import { retryAfterSeconds } from '../../providers/notifiers/http';
import { verifyStandardWebhook } from '../../triggers/auth/standardWebhooks';

const event = (over: Partial<IncidentNotification> = {}): IncidentNotification => ({
  id: 'incident:checkout/run-1/opened',
  kind: 'opened',
  workflowId: 'incident:checkout',
  firstRunId: 'run-1',
  service: 'checkout',
  severity: 'high',
  title: 'HighErrorRate on checkout',
  at: '2026-12-02T18:00:00.000Z',
  detail: 'HighErrorRate on checkout',
  ...over,
});
const ctx = { uiBaseUrl: 'http://127.0.0.1:8233/', namespace: 'default' };

describe('notification messages', () => {
  it('links the incident in the Temporal UI and gives approvers the exact commands', () => {
    const m = renderMessage(event({ kind: 'approval-needed', detail: 'a reroute needs approval' }), ctx);
    expect(m.uiUrl).toBe('http://127.0.0.1:8233/namespaces/default/workflows/incident%3Acheckout');
    expect(m.commands).toEqual({
      approve: 'npx homeostat approve incident:checkout --by <who> --reason <why>',
      abort: 'npx homeostat abort incident:checkout --by <who> --reason <why>',
      status: 'npx homeostat status incident:checkout',
    });
    expect(renderMessage(event(), ctx).commands).toBeUndefined();
    expect(renderMessage(event(), { namespace: 'default' }).uiUrl).toBeUndefined();
  });

  it('keeps ids header-safe and within PagerDuty limits, the same on every call', () => {
    const long = `incident:${'x'.repeat(300)}`;
    const m = renderMessage(event({ workflowId: long, id: `${long}/run-1/opened` }), ctx);
    expect(m.dedupKey.length).toBeLessThanOrEqual(255);
    expect(m.eventId.length).toBeLessThanOrEqual(200);
    expect(renderMessage(event({ workflowId: long, id: `${long}/run-1/opened` }), ctx)).toEqual(m);
    // Two ids that share the kept prefix stay distinct.
    expect(headerSafe(`${'a'.repeat(300)}1`, 200)).not.toBe(headerSafe(`${'a'.repeat(300)}2`, 200));
    expect(headerSafe('incident:é', 200)).toMatch(/^[\x21-\x7e]+$/);
    expect(headerSafe('incident:checkout/r/opened', 200)).toBe('incident:checkout/r/opened');
  });
});

describe('Slack Block Kit body', () => {
  it('always sets the text fallback, with the approve command when approval is needed', () => {
    const m = renderMessage(event({ kind: 'approval-needed', detail: 'reroute to standby' }), ctx);
    const body = slackBody(m);
    expect(body.text).toContain('Approval needed on checkout: reroute to standby');
    expect(body.text).toContain('npx homeostat approve incident:checkout');
    const json = JSON.stringify(body.blocks);
    expect(json).toContain('npx homeostat abort incident:checkout');
    expect(json).toContain('<http://127.0.0.1:8233/namespaces/default/workflows/incident%3Acheckout|');
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Approval needed: checkout' },
    });
  });

  it('cuts long text to Slack limits', () => {
    const body = slackBody(renderMessage(event({ kind: 'escalated', detail: 'y'.repeat(5000) }), ctx));
    expect(body.text.length).toBeLessThanOrEqual(3000);
    for (const b of body.blocks as Array<{ text?: { text: string } }>)
      if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
  });
});

describe('PagerDuty Events API v2 body', () => {
  const key = 'R0UTINGKEY0123456789abcdefABCDEF';
  it('triggers with one dedup key, a mapped severity and a summary within 1024 characters', () => {
    const m = renderMessage(event({ title: 't'.repeat(2000), severity: 'high' }), ctx);
    const body = pagerDutyBody(m, key) as {
      event_action: string;
      dedup_key: string;
      payload: { summary: string; severity: string; source: string; timestamp: string };
      links: unknown[];
    };
    expect(body.event_action).toBe('trigger');
    expect(body.dedup_key).toBe('incident:checkout/run-1');
    expect(body.payload.summary.length).toBeLessThanOrEqual(1024);
    expect(body.payload).toMatchObject({
      severity: 'error',
      source: 'checkout',
      timestamp: '2026-12-02T18:00:00.000Z',
    });
    expect(body.links).toEqual([{ href: m.uiUrl, text: 'Incident in the Temporal UI' }]);
  });

  it.each([
    ['critical', 'critical'],
    ['high', 'error'],
    ['warning', 'warning'],
    ['info', 'info'],
  ] as const)('maps severity %s to %s', (ours, theirs) => {
    const body = pagerDutyBody(renderMessage(event({ severity: ours }), ctx), key) as {
      payload: { severity: string };
    };
    expect(body.payload.severity).toBe(theirs);
  });

  it('acknowledges while acting, resolves at the end, re-triggers on escalation, and skips holds', () => {
    const action = (kind: IncidentNotification['kind']) => {
      const body = pagerDutyBody(renderMessage(event({ kind }), ctx), key);
      return body && [body.event_action, body.dedup_key, 'payload' in body];
    };
    expect(action('action-taken')).toEqual(['acknowledge', 'incident:checkout/run-1', false]);
    expect(action('recovered')).toEqual(['resolve', 'incident:checkout/run-1', false]);
    expect(action('noise')).toEqual(['resolve', 'incident:checkout/run-1', false]);
    expect(action('aborted')).toEqual(['resolve', 'incident:checkout/run-1', false]);
    expect(action('escalated')).toEqual(['trigger', 'incident:checkout/run-1', true]);
    expect(action('approval-needed')).toEqual(['trigger', 'incident:checkout/run-1', true]);
    expect(action('held')).toBeUndefined();
    expect(action('paused')).toBeUndefined();
  });
});

describe('Standard Webhooks signature', () => {
  const secret = () => `whsec_${randomBytes(24).toString('base64')}`;
  const now = new Date('2026-12-02T18:00:00Z');
  const ts = Math.floor(now.getTime() / 1000);
  const body = JSON.stringify(webhookBody(renderMessage(event(), ctx)));

  it('verifies with the receiver (the same code the alert webhook uses)', () => {
    const s = secret();
    const headers = signedHeaders([s], 'incident:checkout/run-1/opened', ts, body);
    expect(verifyStandardWebhook(headers, Buffer.from(body), [s], now, 300)).toEqual({
      id: 'incident:checkout/run-1/opened',
      timestamp: ts,
    });
  });

  it('signs with every secret while rotating: a receiver with either one accepts', () => {
    const [old, next] = [secret(), secret()];
    const headers = signedHeaders([old, next], 'id-1', ts, body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => verifyStandardWebhook(headers, Buffer.from(body), [old], now, 300)).not.toThrow();
    expect(() => verifyStandardWebhook(headers, Buffer.from(body), [next], now, 300)).not.toThrow();
    expect(() => verifyStandardWebhook(headers, Buffer.from(body), [secret()], now, 300)).toThrow(
      /signature/,
    );
  });

  it('fails for a tampered body, id or timestamp', () => {
    const s = secret();
    const headers = signedHeaders([s], 'id-1', ts, body);
    const tampered = body.replace('checkout', 'payments');
    expect(() => verifyStandardWebhook(headers, Buffer.from(tampered), [s], now, 300)).toThrow(/signature/);
    expect(() =>
      verifyStandardWebhook({ ...headers, 'webhook-id': 'id-2' }, Buffer.from(body), [s], now, 300),
    ).toThrow(/signature/);
    expect(() =>
      verifyStandardWebhook(
        { ...headers, 'webhook-timestamp': String(ts + 1) },
        Buffer.from(body),
        [s],
        now,
        300,
      ),
    ).toThrow(/signature/);
  });
});

describe('routes, rate limit, Retry-After', () => {
  it('filters by service, minimum severity and exact severities', () => {
    expect(routeMatches({}, 'checkout', 'info')).toBe(true);
    expect(routeMatches({ services: ['payments'] }, 'checkout', 'critical')).toBe(false);
    expect(routeMatches({ services: ['checkout'], minSeverity: 'high' }, 'checkout', 'critical')).toBe(true);
    expect(routeMatches({ minSeverity: 'high' }, 'checkout', 'warning')).toBe(false);
    expect(routeMatches({ severities: ['warning'] }, 'checkout', 'warning')).toBe(true);
    expect(routeMatches({ severities: ['warning'] }, 'checkout', 'critical')).toBe(false);
  });

  it('lets a burst through, then one per 1/rate seconds; a Retry-After closes it', () => {
    let now = 0;
    const bucket = new TokenBucket(1, 3, () => now);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
    expect(bucket.reserve()).toBe(1000);
    now = 1000;
    expect(bucket.reserve()).toBe(0);
    bucket.closeFor(5);
    now = 10_000; // refilled to the burst, but still…
    bucket.closeFor(5);
    expect(bucket.reserve()).toBe(5000);
    now = 15_000;
    expect(bucket.reserve()).toBe(0);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterSeconds('3')).toBe(3);
    expect(retryAfterSeconds(new Date(10_000).toUTCString(), 0)).toBe(10);
    expect(retryAfterSeconds(null)).toBeUndefined();
    expect(retryAfterSeconds('soon')).toBeUndefined();
  });
});
