import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Custom search attributes every incident keeps current, so the Temporal UI and `temporal workflow list`
 * can filter incidents (e.g. `HomeostatPhase = "awaiting-approval"`). The stack registers them at start.
 */
export const SA_SERVICE = defineSearchAttributeKey('HomeostatService', 'KEYWORD');
export const SA_PHASE = defineSearchAttributeKey('HomeostatPhase', 'KEYWORD');
export const SA_FAILURE_CLASS = defineSearchAttributeKey('HomeostatFailureClass', 'KEYWORD');
export const SA_PLAYBOOK = defineSearchAttributeKey('HomeostatPlaybook', 'KEYWORD');
export const SA_OUTCOME = defineSearchAttributeKey('HomeostatOutcome', 'KEYWORD');
export const SA_SEVERITY = defineSearchAttributeKey('HomeostatSeverity', 'KEYWORD');
/**
 * Set when an incident that acted closes: `recovered`, `failed` (acted, then escalated) or `neutral`.
 * Planning counts it per service and playbook to learn which playbooks work where.
 */
export const SA_RESULT = defineSearchAttributeKey('HomeostatResult', 'KEYWORD');

/**
 * Cross-service correlation: the workflow id of the incident that owns the root cause, set on that
 * incident and on every victim linked to it, so `HomeostatRootIncident = "incident:payments"` lists the group.
 */
export const SA_ROOT_INCIDENT = defineSearchAttributeKey('HomeostatRootIncident', 'KEYWORD');

export const ALL_SEARCH_ATTRIBUTES = [
  SA_SERVICE,
  SA_PHASE,
  SA_FAILURE_CLASS,
  SA_PLAYBOOK,
  SA_OUTCOME,
  SA_SEVERITY,
  SA_RESULT,
  SA_ROOT_INCIDENT,
] as const;
