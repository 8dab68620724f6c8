import { createHash } from 'node:crypto';

/**
 * ECS and ELB tag values allow only letters, digits, spaces and `_.:/=+-@`, up to 256 characters.
 * Action ids are chosen by the workflow, so one that does not fit is stored as its SHA-256 instead:
 * the ledger only needs to recognise the same id again, which the hash does just as well.
 */
const TAG_SAFE = /^[A-Za-z0-9 _.:/=+@-]{1,256}$/;

export function tagSafeActionId(actionId: string): string {
  if (TAG_SAFE.test(actionId)) return actionId;
  return `sha256:${createHash('sha256').update(actionId).digest('hex')}`;
}
