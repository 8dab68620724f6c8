import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { BreakerResetRequest, GovernorState, Pause, PauseRequest } from '../core/model/governor';
import type { FlappingAsk, FlappingDecision } from '../core/model/flapping';
import type {
  FeedbackAnswer,
  FeedbackRequest,
  LearningChange,
  LearningRevertRequest,
  LearningState,
} from '../core/model/learning';
import type { PermitDecision, PermitRelease, PermitRequest } from '../core/model/permits';
import type { Silence, SilenceRequest, UnsilenceRequest } from '../core/model/silence';
import type { RootClaim, RootClaimAnswer, RootClosed } from './governorRoots';

/**
 * The governor's API. Pausing is open to anyone who can reach Temporal (stopping automation is the
 * safe direction, and at 3 a.m. it must not wait for the right person); resuming needs an approver.
 */
export const pauseUpdate = defineUpdate<GovernorState, [PauseRequest]>('pauseAutomation');
export const resumeUpdate = defineUpdate<GovernorState, [PauseRequest]>('resumeAutomation');
export const governorQuery = defineQuery<GovernorState>('governorState');

/** Asked by an incident (through an activity) before each remediation step; idempotent per permit id. */
export const requestPermitUpdate = defineUpdate<PermitDecision, [PermitRequest]>('requestPermit');
/** Sent when an incident that acted ends: frees its blast-radius lease and feeds the circuit breaker. */
export const releasePermitsUpdate = defineUpdate<void, [PermitRelease]>('releasePermits');
/** An approver closes a service's open circuit breaker (after fixing what made remediations fail). */
export const resetBreakerUpdate = defineUpdate<GovernorState, [BreakerResetRequest]>('resetBreaker');
/**
 * An incident about to act asks whether automation is paused; if it is, the governor remembers it and
 * signals it (`automationResumed`) on resume, so a long pause costs the incident no polling.
 */
export const waitOutPauseUpdate = defineUpdate<Pause | null, [{ workflowId: string }]>('waitOutPause');

/**
 * An incident that diagnosed a root service claims it: the first claimant owns it and acts, later ones
 * are linked to the owner as victims (see governorRoots.ts). Idempotent per incident and root.
 */
export const claimRootUpdate = defineUpdate<RootClaimAnswer, [RootClaim]>('claimRoot');
/** Sent by an owning incident as it closes: frees its roots and tells its victims how it ended. */
export const releaseRootsUpdate = defineUpdate<void, [Omit<RootClosed, 'rootService'>]>('releaseRoots');

/** Anyone may silence a service (it stops actions); lifting a silence early needs an approver. */
export const silenceUpdate = defineUpdate<Silence, [SilenceRequest]>('silence');
export const unsilenceUpdate = defineUpdate<Silence[], [UnsilenceRequest]>('unsilence');
/**
 * An incident about to act asks whether its failure keeps returning after recoveries (flapping):
 * go, wait and look again, or hand over to a human. Idempotent per ask id.
 */
export const flappingUpdate = defineUpdate<FlappingDecision, [FlappingAsk]>('checkFlapping');

/**
 * Feedback on a closed incident (closed workflows cannot be signalled, so the governor keeps it) and the
 * learning it caused: listed by the query, each change undone by an approver (workflows/governorLearning.ts).
 */
export const feedbackUpdate = defineUpdate<FeedbackAnswer, [FeedbackRequest]>('giveFeedback');
export const revertLearningUpdate = defineUpdate<LearningChange, [LearningRevertRequest]>('revertLearning');
export const learningQuery = defineQuery<LearningState | null>('learningState');
