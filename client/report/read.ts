import type { Client, WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { AlertBatch, IncidentInput } from '../../core/model/incident';
import type { Diagnosis } from '../../core/model/diagnosis';
import type { ContinuedIncident, IncidentReport, IncidentState } from '../../core/model/incidentState';
import type { NoPlan, ResolvedPlan } from '../../core/model/plan';
import { stateQuery } from '../../workflows/api';
import type { ReceivedAlert, ReportFacts } from './facts';

type Payloads = temporal.api.common.v1.IPayloads | null | undefined;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** A flapping alert can fire hundreds of times: the report keeps the first ones and says how many. */
export const MAX_ALERTS = 200;
/** Continue-as-new keeps each run short; a report never walks more runs than this back to the first. */
const MAX_RUNS = 20;
/** An open incident's state query waits this long for a worker before the report says there is none. */
export const STATE_QUERY_DEADLINE_MS = 10_000;

export class ReportUnavailable extends Error {}

/** What one run's history says beyond the workflow's result. */
interface RunHistory {
  input?: IncidentInput;
  continued?: ContinuedIncident;
  /** The run this one continued from. */
  previousRunId?: string;
  alerts: ReceivedAlert[];
  diagnosis?: Diagnosis;
  plan?: ResolvedPlan | NoPlan;
}

/**
 * Reads what a postmortem needs from Temporal: the result of a closed incident (no worker needed) or
 * the state query of an open one (a worker answers it), and the first alert's start, the diagnosis and
 * the plan from the history of every run. Throws ReportUnavailable when there is nothing to report.
 */
export async function readReportFacts(client: Client, workflowId: string): Promise<ReportFacts> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const status = description.status.name;
  const runs = await readRuns(client, workflowId, description.runId);
  const latest = runs[0]!;
  const first = runs[runs.length - 1]!;
  const alerts = runs
    .slice()
    .reverse()
    .flatMap((r) => r.alerts)
    .slice(0, MAX_ALERTS);
  const diagnosis = latest.diagnosis ?? latest.continued?.state.diagnosis;
  const planned = latest.plan ?? latest.continued?.state.plan;
  const planFacts =
    planned && planned.playbook !== null
      ? { plan: planned }
      : planned
        ? { noPlanReason: (planned as NoPlan).reason }
        : {};
  const common = {
    alerts,
    runs: runs.length,
    ...(diagnosis ? { diagnosis } : {}),
    ...planFacts,
    ...(first.input?.severity ? { severity: first.input.severity } : {}),
  };

  if (status === 'RUNNING') {
    const state = await queryState(client, handle);
    return {
      ...common,
      ...fromState(state),
      ...(state.diagnosis ? { diagnosis: state.diagnosis } : {}),
      ...(state.plan ? { plan: state.plan } : {}),
    };
  }
  if (status !== 'COMPLETED') {
    throw new ReportUnavailable(
      `${workflowId} ended ${status} without a result (an incident is never meant to end so): ` +
        'its history is in the Temporal UI',
    );
  }
  const report = (await handle.result()) as IncidentReport;
  return { ...common, ...fromReport(report) };
}

async function queryState(client: Client, handle: WorkflowHandle): Promise<IncidentState> {
  try {
    return await client.withDeadline(Date.now() + STATE_QUERY_DEADLINE_MS, () => handle.query(stateQuery));
  } catch (err) {
    throw new ReportUnavailable(
      `${handle.workflowId} is open and no worker answered its state query (${(err as Error).message}); ` +
        'start the worker (`npm start`) or report it once it has closed',
    );
  }
}

function fromReport(r: IncidentReport): Omit<ReportFacts, 'alerts' | 'runs'> {
  return {
    workflowId: r.workflowId,
    key: r.key,
    service: r.service,
    title: r.title,
    open: false,
    outcome: r.outcome,
    conclusion: r.conclusion,
    ...(r.failureClass ? { failureClass: r.failureClass } : {}),
    ...(r.playbook ? { playbook: r.playbook } : {}),
    openedAt: r.openedAt,
    closedAt: r.closedAt,
    steps: r.steps,
    approvals: r.approvals,
    timeline: r.timeline,
    ...(r.correlation ? { correlation: r.correlation } : {}),
  };
}

function fromState(s: IncidentState): Omit<ReportFacts, 'alerts' | 'runs'> {
  return {
    workflowId: s.workflowId,
    key: s.input.key,
    service: s.input.service,
    title: s.input.title,
    severity: s.severity,
    open: true,
    phase: s.phase,
    ...(s.diagnosis ? { failureClass: s.diagnosis.failureClass } : {}),
    ...(s.plan ? { playbook: s.plan.playbook } : {}),
    openedAt: s.input.openedAt,
    steps: s.steps,
    approvals: s.approvals,
    timeline: s.timeline,
    ...(s.timelineDropped ? { timelineDropped: s.timelineDropped } : {}),
    ...(s.correlation ? { correlation: s.correlation } : {}),
    ...(s.evidence ? { evidence: s.evidence } : {}),
  };
}

/** The runs of the incident, newest first, back to the one the first alert started. */
async function readRuns(client: Client, workflowId: string, runId: string): Promise<RunHistory[]> {
  const runs: RunHistory[] = [];
  let next: string | undefined = runId;
  while (next && runs.length < MAX_RUNS) {
    const history = await client.workflow.getHandle(workflowId, next).fetchHistory();
    const run = await readRun(client, history.events ?? []);
    runs.push(run);
    next = run.previousRunId;
  }
  return runs;
}

async function readRun(client: Client, events: HistoryEvent[]): Promise<RunHistory> {
  const decode = decoder(client);
  const run: RunHistory = { alerts: [] };
  const activityTypes = new Map<string, string>();
  for (const event of events) {
    const started = event.workflowExecutionStartedEventAttributes;
    if (started) {
      run.input = await decode<IncidentInput>(started.input, 0);
      run.continued = await decode<ContinuedIncident>(started.input, 1);
      if (started.continuedExecutionRunId) run.previousRunId = started.continuedExecutionRunId;
    }
    const signal = event.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName === 'alert') {
      const batch = await decode<AlertBatch>(signal.input, 0);
      for (const a of batch?.alerts ?? []) {
        run.alerts.push({
          fingerprint: a.fingerprint,
          name: a.name,
          source: a.source,
          status: a.status,
          startsAt: a.startsAt,
          receivedAt: batch!.receivedAt,
        });
      }
    }
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name && event.eventId != null)
      activityTypes.set(String(event.eventId), scheduled.activityType.name);
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed?.scheduledEventId != null) {
      const type = activityTypes.get(String(completed.scheduledEventId));
      if (type === 'diagnoseIncident') run.diagnosis = await decode<Diagnosis>(completed.result, 0);
      if (type === 'planRemediation') run.plan = await decode<ResolvedPlan | NoPlan>(completed.result, 0);
    }
  }
  return run;
}

/** Decodes one argument of a history payload list with the client's own data converter and codecs. */
function decoder(client: Client) {
  const { payloadConverter, payloadCodecs } = client.options.loadedDataConverter;
  return async <T>(payloads: Payloads, index: number): Promise<T | undefined> => {
    const payload = payloads?.payloads?.[index];
    if (!payload) return undefined;
    let decoded = [payload];
    for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
    return decoded[0] ? payloadConverter.fromPayload<T>(decoded[0]) : undefined;
  };
}
