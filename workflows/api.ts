import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AlertBatch } from '../core/model/incident';
import type { LinkedVictim, RootClosed } from './governorRoots';
import type {
  AbortRequest,
  ApprovalDecision,
  ApprovalRequest,
  IncidentState,
} from '../core/model/incidentState';

/**
 * Everything the outside world may say to an incident, in one place: triggers, the CLI, the HTTP
 * operator endpoints and tests import these definitions, never the workflow code itself.
 */
export const alertSignal = defineSignal<[AlertBatch]>('alert');

/** Fire-and-forget variants, usable from the Temporal UI's "Send signal". */
export const approveSignal = defineSignal<[ApprovalRequest]>('approve');
export const abortSignal = defineSignal<[AbortRequest]>('abort');

/** Validated variants: a wrong phase or an unknown approver is rejected with a reason, nothing recorded. */
export const approveUpdate = defineUpdate<ApprovalDecision, [ApprovalRequest]>('approveIncident');
export const abortUpdate = defineUpdate<ApprovalDecision, [AbortRequest]>('abortIncident');

export const stateQuery = defineQuery<IncidentState>('state');

/** Sent by the governor to the incidents waiting on the global pause when an approver resumes. */
export const automationResumedSignal = defineSignal('automationResumed');

/** Sent by the governor to a root incident when another incident links to it as a victim. */
export const victimLinkedSignal = defineSignal<[LinkedVictim]>('victimLinked');
/** Sent by the governor to a victim when the incident owning its root cause has ended. */
export const rootClosedSignal = defineSignal<[RootClosed]>('rootClosed');
