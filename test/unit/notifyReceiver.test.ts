import { randomBytes } from 'node:crypto';
import type { IncidentNotification } from '../../core/model/notification';
import { renderMessage } from '../../providers/notifiers/message';
import { StandardWebhookNotifier } from '../../providers/notifiers/standardWebhook';
import { NotifierError } from '../../providers/notifiers/types';
import { startNotificationReceiver } from '../../workers/notificationReceiver';

const secret = () => `whsec_${randomBytes(24).toString('base64')}`;
const message = (kind: IncidentNotification['kind']) =>
  renderMessage(
    {
      id: `incident:web/run-1/${kind}`,
      kind,
      workflowId: 'incident:web',
      firstRunId: 'run-1',
      service: 'web',
      severity: 'warning',
      title: 'HighLatency',
      at: new Date().toISOString(),
      detail: 'p99 above 1 s',
    },
    { namespace: 'default', uiBaseUrl: 'http://127.0.0.1:8233' },
  );

/** The demo's receiver with the real notifier: signed deliveries kept once by id, forged ones refused. */
describe('notification receiver (npm start)', () => {
  it('keeps each signed event once, prints a line, and refuses a wrong signature', async () => {
    const lines: string[] = [];
    const s = secret();
    const receiver = await startNotificationReceiver({ secrets: [s], log: (l) => lines.push(l) });
    try {
      const notifier = new StandardWebhookNotifier('webhook', receiver.url, [s]);
      await notifier.send(message('opened'));
      await notifier.send(message('opened')); // a retry after a lost answer: accepted, not kept twice
      await notifier.send(message('recovered'));
      expect(receiver.received().map((r) => [r.id, r.type])).toEqual([
        ['incident:web/run-1/opened', 'incident.opened'],
        ['incident:web/run-1/recovered', 'incident.recovered'],
      ]);
      expect(lines).toEqual([
        'incident.opened: Incident opened on web: HighLatency',
        'incident.recovered: Recovered: web — p99 above 1 s',
      ]);
      const listed = (await (await fetch(new URL('/notifications', receiver.url))).json()) as {
        notifications: unknown[];
      };
      expect(listed.notifications).toHaveLength(2);

      const forged = new StandardWebhookNotifier('forged', receiver.url, [secret()]);
      const err = await forged.send(message('escalated')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotifierError);
      expect(err).toMatchObject({ retryable: false, message: expect.stringMatching(/401/) });
      expect(receiver.received()).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });
});
