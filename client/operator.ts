import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import {
  governorWorkflowId,
  type BreakerResetRequest,
  type GovernorState,
  type PauseRequest,
} from '../core/model/governor';
import { INCIDENT_WORKFLOW_TYPE } from '../core/model/incident';
import type {
  AbortRequest,
  ApprovalDecision,
  ApprovalRequest,
  IncidentState,
} from '../core/model/incidentState';
import { abortUpdate, approveUpdate, stateQuery } from '../workflows/api';
import {
  pauseUpdate,
  resetBreakerUpdate,
  resumeUpdate,
  silenceUpdate,
  unsilenceUpdate,
} from '../workflows/governorApi';
import {
  pruneSilences,
  type Silence,
  type SilenceRequest,
  type UnsilenceRequest,
} from '../core/model/silence';
import { readGovernor, updateGovernor } from './governor';
import { outcomeOf, type Outcome } from './outcome';

/** One incident as the visibility store lists it: what `list` and `describe` return. */
export interface IncidentSummary {
  id: string;
  runId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, TERMINATED, … */
  status: string;
  taskQueue: string;
  startTime: string;
  closeTime?: string;
  historyLength: number;
  /** The Homeostat search attributes by name (HomeostatPhase, HomeostatOutcome, …). */
  searchAttributes: Record<string, unknown>;
}

export interface ListOptions {
  /** open: still running; closed: ended; omitted: both. */
  status?: 'open' | 'closed';
  /** At most this many, in the visibility store's order (newest first); omitted: all of them. */
  limit?: number;
  /**
   * task-queue (default): only this deployment's incidents, not another's sharing the namespace.
   * namespace: every incident the namespace holds.
   */
  scope?: 'task-queue' | 'namespace';
}

export interface OperatorOptions {
  /** Each call gives up after this long (the HTTP routes must answer); omitted: no deadline (the CLI). */
  deadlineMs?: number;
}

/**
 * What an engineer can do to incidents and to the governor, in one place for the CLI, the HTTP
 * operator routes and the demo. The workflows decide; this only translates calls into Temporal
 * updates and queries. Answers the workflow may give (not found, refused with a reason) come back as
 * an Outcome; Temporal failures and run-out deadlines are thrown (see client/outcome.ts).
 */
export interface Operator {
  readonly taskQueue: string;
  /** The workflow id of this deployment's governor. */
  readonly governorId: string;

  list(opts?: ListOptions): Promise<IncidentSummary[]>;
  describe(workflowId: string): Promise<Outcome<IncidentSummary>>;
  /** The incident's full state (its `state` query; needs a worker to answer). */
  state(workflowId: string): Promise<Outcome<IncidentState>>;
  /** `updateId` makes a retried request count once (the HTTP Idempotency-Key). */
  approve(workflowId: string, req: ApprovalRequest, updateId?: string): Promise<Outcome<ApprovalDecision>>;
  abort(workflowId: string, req: AbortRequest, updateId?: string): Promise<Outcome<ApprovalDecision>>;

  /** The governor's state; null when it does not exist (nobody paused or acted yet: all clear). */
  governor(): Promise<GovernorState | null>;
  /** Open to anyone; starts the governor if needed. */
  pause(req: PauseRequest): Promise<Outcome<GovernorState>>;
  /** Approvers only (the governor refuses others). not-found: nobody ever paused. */
  resume(req: PauseRequest): Promise<Outcome<GovernorState>>;
  /** Approvers only. not-found: no governor, so no breaker can be open. */
  resetBreaker(req: BreakerResetRequest): Promise<Outcome<GovernorState>>;
  /** Open to anyone (it stops actions); starts the governor if needed. Returns the new silence. */
  silence(req: SilenceRequest): Promise<Outcome<Silence>>;
  /** Approvers only; by silence id or service. not-found: no governor, so nothing is silenced. */
  unsilence(req: UnsilenceRequest): Promise<Outcome<Silence[]>>;
  /** The active silences (none without a governor). */
  silences(): Promise<Silence[]>;
}

type ExecutionSummary = Omit<WorkflowExecutionInfo, 'raw'>;

function summaryOf(info: ExecutionSummary): IncidentSummary {
  return {
    id: info.workflowId,
    runId: info.runId,
    status: info.status.name,
    taskQueue: info.taskQueue,
    startTime: info.startTime.toISOString(),
    ...(info.closeTime ? { closeTime: info.closeTime.toISOString() } : {}),
    historyLength: info.historyLength,
    searchAttributes: Object.fromEntries(
      info.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]),
    ),
  };
}

function listQuery(taskQueue: string, opts: ListOptions): string {
  let query = `WorkflowType="${INCIDENT_WORKFLOW_TYPE}"`;
  // Quotes and backslashes cannot be escaped in a visibility query; no real task queue has them.
  if ((opts.scope ?? 'task-queue') === 'task-queue')
    query += ` AND TaskQueue="${taskQueue.replace(/["\\]/g, '')}"`;
  if (opts.status === 'open') query += ' AND ExecutionStatus="Running"';
  if (opts.status === 'closed') query += ' AND ExecutionStatus!="Running"';
  return query;
}

export function createOperator(client: Client, taskQueue: string, options: OperatorOptions = {}): Operator {
  const governorId = governorWorkflowId(taskQueue);
  const within = <T>(fn: () => Promise<T>): Promise<T> =>
    options.deadlineMs === undefined ? fn() : client.withDeadline(Date.now() + options.deadlineMs, fn);
  const incident = (workflowId: string) => client.workflow.getHandle(workflowId);
  const withUpdateId = (updateId: string | undefined) => (updateId ? { updateId } : {});

  return {
    taskQueue,
    governorId,

    async list(opts = {}) {
      const incidents: IncidentSummary[] = [];
      const { limit } = opts;
      await within(async () => {
        const pages = client.workflow.list({
          query: listQuery(taskQueue, opts),
          ...(limit === undefined ? {} : { pageSize: Math.min(limit, 1000) }),
        });
        for await (const info of pages) {
          incidents.push(summaryOf(info));
          if (limit !== undefined && incidents.length >= limit) break;
        }
      });
      return incidents;
    },

    describe: (workflowId) =>
      outcomeOf(async () => summaryOf(await within(() => incident(workflowId).describe()))),
    state: (workflowId) => outcomeOf(() => within(() => incident(workflowId).query(stateQuery))),
    approve: (workflowId, req, updateId) =>
      outcomeOf(() =>
        within(() =>
          incident(workflowId).executeUpdate(approveUpdate, { args: [req], ...withUpdateId(updateId) }),
        ),
      ),
    abort: (workflowId, req, updateId) =>
      outcomeOf(() =>
        within(() =>
          incident(workflowId).executeUpdate(abortUpdate, { args: [req], ...withUpdateId(updateId) }),
        ),
      ),

    governor: () => within(() => readGovernor(client, taskQueue)),
    pause: (req) => outcomeOf(() => within(() => updateGovernor(client, taskQueue, pauseUpdate, req))),
    // Resume and reset never start the governor: with none running there is nothing to resume or reset.
    resume: (req) =>
      outcomeOf(() =>
        within(() => client.workflow.getHandle(governorId).executeUpdate(resumeUpdate, { args: [req] })),
      ),
    resetBreaker: (req) =>
      outcomeOf(() =>
        within(() =>
          client.workflow.getHandle(governorId).executeUpdate(resetBreakerUpdate, { args: [req] }),
        ),
      ),
    silence: (req) => outcomeOf(() => within(() => updateGovernor(client, taskQueue, silenceUpdate, req))),
    unsilence: (req) =>
      outcomeOf(() =>
        within(() => client.workflow.getHandle(governorId).executeUpdate(unsilenceUpdate, { args: [req] })),
      ),
    silences: async () =>
      pruneSilences((await within(() => readGovernor(client, taskQueue)))?.silences, Date.now()),
  };
}
