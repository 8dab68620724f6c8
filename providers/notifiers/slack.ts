import type { NotificationKind } from '../../core/model/notification';
import { postJson } from './http';
import { clip } from './message';
import type { NotificationMessage, Notifier } from './types';

/**
 * Slack incoming webhook: Block Kit blocks plus `text`, the fallback Slack shows in notifications (always
 * set). A 429 carries Retry-After, which the notify activity honours.
 */
export class SlackNotifier implements Notifier {
  readonly kind = 'slack';
  constructor(
    readonly name: string,
    private readonly webhookUrl: string,
  ) {}

  wants(): boolean {
    return true;
  }

  async send(message: NotificationMessage, signal?: AbortSignal): Promise<void> {
    await postJson(`slack ${this.name}`, this.webhookUrl, JSON.stringify(slackBody(message)), {}, signal);
  }
}

const EMOJI: Record<NotificationKind, string> = {
  opened: ':rotating_light:',
  'approval-needed': ':raising_hand:',
  'action-taken': ':hammer_and_wrench:',
  held: ':hourglass_flowing_sand:',
  paused: ':double_vertical_bar:',
  recovered: ':white_check_mark:',
  escalated: ':sos:',
  aborted: ':octagonal_sign:',
  noise: ':zzz:',
};

/** Slack caps a section's text at 3000 characters and a header's at 150. */
export function slackBody(m: NotificationMessage): { text: string; blocks: unknown[] } {
  const e = m.event;
  const facts = [
    `*Service:* ${e.service}`,
    `*Severity:* ${e.severity}`,
    ...(e.failureClass ? [`*Diagnosis:* ${e.failureClass}`] : []),
    ...(e.playbook ? [`*Playbook:* ${e.playbook}`] : []),
  ];
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${headerWord(e.kind)}: ${e.service}`, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`${EMOJI[e.kind]} ${m.headline}`, 3000) } },
    { type: 'section', fields: facts.map((text) => ({ type: 'mrkdwn', text })) },
  ];
  if (m.commands) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `*Approve:*\n\`\`\`${m.commands.approve}\`\`\`\n*Abort:*\n\`\`\`${m.commands.abort}\`\`\``,
          3000,
        ),
      },
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: clip(
          [`incident \`${e.workflowId}\``, ...(m.uiUrl ? [`<${m.uiUrl}|Open in the Temporal UI>`] : [])].join(
            ' · ',
          ),
          3000,
        ),
      },
    ],
  });
  const text = m.commands ? `${m.headline} — approve: ${m.commands.approve}` : m.headline;
  return { text: clip(text, 3000), blocks };
}

function headerWord(kind: NotificationKind): string {
  return kind === 'approval-needed'
    ? 'Approval needed'
    : kind[0]!.toUpperCase() + kind.slice(1).replace('-', ' ');
}
