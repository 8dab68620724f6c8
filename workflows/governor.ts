import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { HomeostatActivities } from '../activities';
import type { GovernorLogEntry, GovernorState, PauseRequest } from '../core/model/governor';
import type { IncidentPolicy } from '../core/model/incidentState';
import { formatGovernor } from '../core/model/governorSummary';
import {
  DEFAULT_SAFETY_LIMITS,
  emptyPermitState,
  type PermitRelease,
  type PermitRequest,
} from '../core/model/permits';
import {
  claimRootUpdate,
  governorQuery,
  pauseUpdate,
  releaseRootsUpdate,
  releasePermitsUpdate,
  requestPermitUpdate,
  resetBreakerUpdate,
  resumeUpdate,
  waitOutPauseUpdate,
} from './governorApi';
import { automationResumedSignal, rootClosedSignal, victimLinkedSignal } from './api';
import { claimRoot, releaseRoots, validRootClaim } from './governorRoots';
import { hearRelease, registerSilencesAndFlapping } from './governorSilences';
import { registerLearning } from './governorLearning';
import { decidePermit, releasePermits } from './permitRules';
import { SA_PHASE } from './searchAttributes';

const { loadPolicy } = proxyActivities<Pick<HomeostatActivities, 'loadPolicy'>>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 10 },
});

/** Entries kept in the governor's audit log (older ones are in earlier runs' histories). */
const LOG_LIMIT = 200;
/** Incidents remembered as waiting on the pause (each also re-checks hourly, so none is stranded). */
const WAITING_LIMIT = 1000;

/**
 * One long-running workflow per task queue (`homeostat-governor/<queue>`) holding the global pause and
 * the permits: rate limits, the blast radius (services remediated at once) and a circuit breaker per
 * service. Incidents read the pause and ask for a permit before every step. Continues as new when the
 * server suggests it, carrying its state, so it can run for years.
 */
export async function governorWorkflow(carried?: GovernorState): Promise<void> {
  const state: GovernorState = carried ?? { paused: null, log: [] };
  const permits = (state.permits ??= emptyPermitState());
  // Filled once the policy activity returns; handlers registered before that read it when called.
  const loaded: { policy?: IncidentPolicy } = {};
  const show = (): void => {
    upsertSearchAttributes([{ key: SA_PHASE, value: state.paused ? 'paused' : 'active' }]);
    describe();
  };
  /** The Temporal UI's current details of the governor: what `homeostat safety` prints. */
  const describe = (): void =>
    setCurrentDetails(formatGovernor(state, loaded.policy?.safety ?? DEFAULT_SAFETY_LIMITS, Date.now()));
  const record = (kind: GovernorLogEntry['kind'], req: Omit<GovernorLogEntry, 'at' | 'kind'>): void => {
    state.log = [...state.log, { ...req, kind, at: new Date().toISOString() }].slice(-LOG_LIMIT);
  };
  const notApprover = (by: string, what: string): string | undefined =>
    loaded.policy && !loaded.policy.approvers.includes(by)
      ? `${by} is not an approver; only approvers may ${what}`
      : undefined;
  /**
   * Approver-only changes: the validator refuses non-approvers without a trace once the policy is
   * loaded; an update that arrives while the governor is still loading it (just started) waits for the
   * policy in the handler and is refused there, rather than asking the person to try again.
   */
  const mustBeApprover = (by: string, what: string): void => {
    const why = notApprover(by, what);
    if (why) throw new Error(why);
  };
  const approverOnly = async <T>(by: string, what: string, change: () => T | Promise<T>): Promise<T> => {
    await condition(() => loaded.policy !== undefined);
    const why = notApprover(by, what);
    if (why) throw ApplicationFailure.create({ message: why, nonRetryable: true });
    return await change();
  };
  const needsWho = (req: PauseRequest): void => {
    if (!req.by?.trim() || !req.reason?.trim()) throw new Error('say who (by) and why (reason)');
  };

  setHandler(governorQuery, () => state);
  setHandler(
    pauseUpdate,
    (req) => {
      state.paused = { ...req, at: new Date().toISOString() };
      record('pause', req);
      show();
      return state;
    },
    {
      validator: (req) => {
        needsWho(req);
        if (state.paused) throw new Error(`already paused by ${state.paused.by} since ${state.paused.at}`);
      },
    },
  );
  setHandler(
    resumeUpdate,
    (req) =>
      approverOnly(req.by, 'resume', async () => {
        // Checked again: another resume may have landed while this one waited for the policy.
        if (!state.paused)
          throw ApplicationFailure.create({ message: 'automation is not paused', nonRetryable: true });
        state.paused = null;
        record('resume', req);
        show();
        const waiting = state.waiting ?? [];
        state.waiting = [];
        // An incident that closed meanwhile cannot be signalled; the others act at once.
        await Promise.all(
          waiting.map((id) =>
            getExternalWorkflowHandle(id)
              .signal(automationResumedSignal)
              .catch(() => undefined),
          ),
        );
        return state;
      }),
    {
      validator: (req) => {
        needsWho(req);
        if (!state.paused) throw new Error('automation is not paused');
        mustBeApprover(req.by, 'resume');
      },
    },
  );

  setHandler(
    waitOutPauseUpdate,
    ({ workflowId }) => {
      if (!state.paused) return null;
      state.waiting = [...new Set([...(state.waiting ?? []), workflowId])].slice(-WAITING_LIMIT);
      return state.paused;
    },
    {
      validator: (req) => {
        if (typeof req?.workflowId !== 'string' || !req.workflowId) throw new Error('workflowId is required');
      },
    },
  );

  setHandler(
    requestPermitUpdate,
    (req) => {
      const decision = decidePermit(permits, req, Date.now());
      describe();
      return decision;
    },
    {
      validator: (req) => validPermitRequest(req),
    },
  );
  setHandler(
    releasePermitsUpdate,
    (rel) => {
      releasePermits(permits, rel, Date.now());
      hearRelease(state, rel, Date.now()); // a recovery feeds flapping protection
      describe();
    },
    {
      validator: (rel) => {
        if (!rel?.incidentId || !Array.isArray(rel.services))
          throw new Error('incidentId and services are required');
        validLimits(rel.limits);
      },
    },
  );
  setHandler(
    resetBreakerUpdate,
    (req) =>
      approverOnly(req.by, 'reset a circuit breaker', () => {
        delete permits.breakers[req.service];
        record('breaker-reset', req);
        describe();
        return state;
      }),
    {
      validator: (req) => {
        needsWho(req);
        if (!req.service?.trim()) throw new Error('name the service whose breaker to reset');
        if (!permits.breakers[req.service])
          throw new Error(`the circuit breaker of ${req.service} is not open`);
        mustBeApprover(req.by, 'reset a circuit breaker');
      },
    },
  );

  registerSilencesAndFlapping(state, { record, approverOnly, mustBeApprover, needsWho, describe });
  registerLearning(state, { record, approverOnly, mustBeApprover, policy: () => loaded.policy });

  /** Signals an incident; one that closed meanwhile cannot be signalled, and that is fine. */
  const ignoreClosed = (): undefined => undefined;
  setHandler(
    claimRootUpdate,
    async (claim) => {
      const roots = (state.roots ??= {});
      const { answer, linked } = claimRoot(roots, claim, Date.now());
      // The owner shows its victims (UI, status); told once per victim.
      if (linked)
        await getExternalWorkflowHandle(answer.rootIncident)
          .signal(victimLinkedSignal, linked)
          .catch(ignoreClosed);
      return answer;
    },
    { validator: (claim) => validRootClaim(claim) },
  );
  setHandler(
    releaseRootsUpdate,
    async (closed) => {
      const released = releaseRoots((state.roots ??= {}), closed.workflowId);
      await Promise.all(
        released.flatMap(({ root, owner }) =>
          owner.victims.map((v) =>
            getExternalWorkflowHandle(v.workflowId)
              .signal(rootClosedSignal, { ...closed, rootService: root })
              .catch(ignoreClosed),
          ),
        ),
      );
    },
    {
      validator: (closed) => {
        if (typeof closed?.workflowId !== 'string' || !closed.workflowId)
          throw new Error('workflowId is required');
      },
    },
  );

  show();
  loaded.policy = await loadPolicy();
  describe();
  await condition(() => workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof governorWorkflow>(state);
}

function validPermitRequest(req: PermitRequest): void {
  for (const key of ['permitId', 'incidentId', 'service', 'stepId'] as const) {
    if (typeof req?.[key] !== 'string' || !req[key].trim()) throw new Error(`${key} is required`);
  }
  validLimits(req.limits);
}

function validLimits(limits: PermitRequest['limits'] | PermitRelease['limits']): void {
  if (!limits) throw new Error('limits are required');
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !(value > 0)) throw new Error(`limits.${key} must be a positive number`);
  }
}
