import { loadConfig } from '../../core/model/config';
import { DEFAULT_PAGERDUTY_EVENTS_URL } from '../../core/model/notifyConfig';
import { notificationSetupFromConfig } from '../../providers/notifiers';

const SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

describe('notifications configuration', () => {
  it('has no notifier by default; links point at the embedded UI', () => {
    const cfg = loadConfig({});
    expect(cfg.notifications).toMatchObject({ closeWaitSeconds: 30, notifiers: [] });
    const setup = notificationSetupFromConfig(cfg);
    expect(setup).toMatchObject({ notifiers: [], uiBaseUrl: 'http://127.0.0.1:8233', closeWaitSeconds: 30 });
    // An external server has no embedded UI: no link unless configured.
    expect(
      notificationSetupFromConfig(loadConfig({ TEMPORAL_ADDRESS: 't.example.com:7233' })).uiBaseUrl,
    ).toBeUndefined();
  });

  it('reads each notifier from the environment, PagerDuty with its default events URL', () => {
    const cfg = loadConfig({
      HOMEOSTAT_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X',
      HOMEOSTAT_SLACK_MIN_SEVERITY: 'high',
      HOMEOSTAT_PAGERDUTY_ROUTING_KEY: 'abc123',
      HOMEOSTAT_WEBHOOK_NOTIFY_URL: 'http://127.0.0.1:9/hook',
      HOMEOSTAT_WEBHOOK_NOTIFY_SECRET: `${SECRET},${SECRET}`,
      HOMEOSTAT_NOTIFY_UI_BASE_URL: 'https://temporal.example.com',
    });
    expect(cfg.notifications.pagerduty?.eventsUrl).toBe(DEFAULT_PAGERDUTY_EVENTS_URL);
    expect(cfg.notifications.slack).toMatchObject({ minSeverity: 'high', ratePerSecond: 1, burst: 3 });
    const setup = notificationSetupFromConfig(cfg);
    expect(setup.notifiers.map((n) => [n.notifier.kind, n.notifier.name])).toEqual([
      ['slack', 'slack'],
      ['pagerduty', 'pagerduty'],
      ['webhook', 'webhook'],
    ]);
    expect(setup.uiBaseUrl).toBe('https://temporal.example.com');
  });

  it.each([
    [
      { HOMEOSTAT_SLACK_WEBHOOK_URL: 'hooks.slack.com/x' },
      /HOMEOSTAT_SLACK_WEBHOOK_URL \(notifications\.slack\.webhookUrl\): expected an http\(s\) URL/,
    ],
    [
      { HOMEOSTAT_PAGERDUTY_EVENTS_URL: 'http://127.0.0.1:1/v2/enqueue' },
      /HOMEOSTAT_PAGERDUTY_ROUTING_KEY \(notifications\.pagerduty\.routingKey\)/,
    ],
    [
      {
        HOMEOSTAT_WEBHOOK_NOTIFY_URL: 'http://127.0.0.1:9/hook',
        HOMEOSTAT_WEBHOOK_NOTIFY_SECRET: 'c2VjcmV0c2VjcmV0c2VjcmV0',
      },
      /HOMEOSTAT_WEBHOOK_NOTIFY_SECRET \(notifications\.webhook\.secrets\.0\): expected whsec_<base64>/,
    ],
    [
      { HOMEOSTAT_WEBHOOK_NOTIFY_URL: 'http://127.0.0.1:9/hook' },
      /HOMEOSTAT_WEBHOOK_NOTIFY_SECRET \(notifications\.webhook\.secrets\)/,
    ],
    [{ HOMEOSTAT_NOTIFY_UI_BASE_URL: 'ftp://x' }, /HOMEOSTAT_NOTIFY_UI_BASE_URL/],
  ])('refuses %j naming the key', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('adds routed notifiers from the config file, named uniquely', () => {
    const cfg = loadConfig({});
    const setup = notificationSetupFromConfig({
      ...cfg,
      notifications: {
        ...cfg.notifications,
        notifiers: [
          {
            kind: 'slack',
            webhookUrl: 'http://127.0.0.1:9/a',
            services: ['payments'],
            ratePerSecond: 1,
            burst: 3,
          },
          {
            kind: 'slack',
            webhookUrl: 'http://127.0.0.1:9/b',
            minSeverity: 'critical',
            ratePerSecond: 1,
            burst: 3,
          },
        ],
      },
    });
    expect(setup.notifiers.map((n) => [n.notifier.name, n.route])).toEqual([
      ['slack', { services: ['payments'] }],
      ['slack-2', { minSeverity: 'critical' }],
    ]);
  });
});
