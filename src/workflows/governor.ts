import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { HomeostatActivities } from '../activities';
import type { GovernorState, PauseRequest } from '../model/governor';
import type { IncidentPolicy } from '../model/incidentState';
import { governorQuery, pauseUpdate, resumeUpdate } from './governorApi';
import { SA_PHASE } from './searchAttributes';

const { loadPolicy } = proxyActivities<HomeostatActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 10 },
});

/** Entries kept in the governor's audit log (older ones are in earlier runs' histories). */
const LOG_LIMIT = 200;

/**
 * One long-running workflow (id `homeostat-governor`) holding the global pause. Incidents read it
 * before every step and wait while it is set. Continues as new when the server suggests it, carrying
 * its state, so it can run for years.
 */
export async function governorWorkflow(carried?: GovernorState): Promise<void> {
  const state: GovernorState = carried ?? { paused: null, log: [] };
  // Filled once the policy activity returns; handlers registered before that read it when called.
  const loaded: { policy?: IncidentPolicy } = {};
  const show = (): void =>
    upsertSearchAttributes([{ key: SA_PHASE, value: state.paused ? 'paused' : 'active' }]);
  const record = (kind: 'pause' | 'resume', req: PauseRequest): void => {
    state.log = [...state.log, { ...req, kind, at: new Date().toISOString() }].slice(-LOG_LIMIT);
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
    (req) => {
      state.paused = null;
      record('resume', req);
      show();
      return state;
    },
    {
      validator: (req) => {
        needsWho(req);
        if (!state.paused) throw new Error('automation is not paused');
        const policy = loaded.policy;
        if (!policy) throw new Error('the governor is still loading its policy; try again in a moment');
        if (!policy.approvers.includes(req.by))
          throw new Error(`${req.by} is not an approver; only approvers may resume`);
      },
    },
  );

  show();
  loaded.policy = await loadPolicy();
  await condition(() => workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof governorWorkflow>(state);
}
