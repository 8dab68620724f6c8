import { createHash } from 'node:crypto';
import type { IncidentNotification, NotificationKind } from '../../core/model/notification';
import type { NotificationMessage } from './types';

/** Where links point and how commands are spelled: the worker's settings, not the incident's history. */
export interface MessageContext {
  /** The Temporal UI's base URL (no trailing slash needed); absent: messages carry no link. */
  uiBaseUrl?: string;
  namespace: string;
}

const HEADLINES: Record<NotificationKind, (e: IncidentNotification) => string> = {
  opened: (e) => `Incident opened on ${e.service}: ${e.title}`,
  'approval-needed': (e) => `Approval needed on ${e.service}: ${e.detail}`,
  'action-taken': (e) => `Homeostat acted on ${e.service}: ${e.detail}`,
  held: (e) => `Held on ${e.service}: ${e.detail}`,
  paused: (e) => `Paused on ${e.service}: ${e.detail}`,
  recovered: (e) => `Recovered: ${e.service} — ${e.detail}`,
  escalated: (e) => `Escalated to a human: ${e.service} — ${e.detail}`,
  aborted: (e) => `Aborted on ${e.service}: ${e.detail}`,
  noise: (e) => `Closed as noise: ${e.service} — ${e.detail}`,
};

export function renderMessage(event: IncidentNotification, ctx: MessageContext): NotificationMessage {
  const uiUrl = ctx.uiBaseUrl ? temporalUiUrl(ctx.uiBaseUrl, ctx.namespace, event.workflowId) : undefined;
  return {
    event,
    eventId: headerSafe(event.id, 200),
    dedupKey: headerSafe(`${event.workflowId}/${event.firstRunId}`, 255),
    headline: HEADLINES[event.kind](event),
    ...(uiUrl ? { uiUrl } : {}),
    ...(event.kind === 'approval-needed' ? { commands: answerCommands(event.workflowId) } : {}),
  };
}

export function temporalUiUrl(base: string, namespace: string, workflowId: string): string {
  return `${base.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** The commands an approver types, with the placeholders they fill in. */
export function answerCommands(workflowId: string): NonNullable<NotificationMessage['commands']> {
  const id = /^[\w:./@+-]+$/.test(workflowId) ? workflowId : `'${workflowId.replace(/'/g, `'\\''`)}'`;
  return {
    approve: `npx homeostat approve ${id} --by <who> --reason <why>`,
    abort: `npx homeostat abort ${id} --by <who> --reason <why>`,
    status: `npx homeostat status ${id}`,
  };
}

/**
 * An id fit for a header and for PagerDuty's dedup_key: printable ASCII within `max` characters. A longer
 * or unprintable one keeps a readable prefix and ends in a hash of the whole, so it stays unique and the
 * same on every attempt.
 */
export function headerSafe(id: string, max: number): string {
  if (/^[\x21-\x7e]+$/.test(id) && id.length <= max) return id;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 32);
  return `${id.replace(/[^\x21-\x7e]/g, '_').slice(0, max - hash.length - 1)}#${hash}`;
}

/** Cuts text to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
