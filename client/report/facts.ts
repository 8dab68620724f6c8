import type { AlertSource, Severity } from '../../core/model/alert';
import type { Diagnosis } from '../../core/model/diagnosis';
import type {
  AuditEntry,
  Correlation,
  EvidenceSummary,
  FailureClass,
  Outcome,
  Phase,
  StepRecord,
  TimelineEntry,
} from '../../core/model/incidentState';
import type { ResolvedPlan } from '../../core/model/plan';

/** One alert as it reached the incident (a signal in its history). */
export interface ReceivedAlert {
  fingerprint: string;
  name: string;
  source: AlertSource;
  status: 'firing' | 'resolved';
  /** When the source says the alert began (the detector's onset for the detector's own alerts). */
  startsAt: string;
  receivedAt: string;
}

/**
 * Everything a postmortem is written from, as Temporal keeps it: the workflow's result (or, for an open
 * incident, its state query), the diagnosis and plan from its history, and the alerts its signals
 * carried. Pure data, so the Markdown builder needs no server to be tested.
 */
export interface ReportFacts {
  workflowId: string;
  key: string;
  service: string;
  title: string;
  severity?: Severity;
  /** True for an incident still running: the report is a draft of an open incident. */
  open: boolean;
  /** The current phase of an open incident. */
  phase?: Phase;
  outcome?: Outcome;
  conclusion?: string;
  failureClass?: FailureClass;
  playbook?: string;
  openedAt: string;
  closedAt?: string;
  steps: StepRecord[];
  approvals: AuditEntry[];
  timeline: TimelineEntry[];
  /** Older timeline entries the incident let go (its timeline is bounded). */
  timelineDropped?: number;
  correlation?: Correlation;
  diagnosis?: Diagnosis;
  plan?: ResolvedPlan;
  /** Why no playbook was chosen, when planning found none. */
  noPlanReason?: string;
  evidence?: EvidenceSummary;
  /** The alerts the incident received, oldest first (bounded). */
  alerts: ReceivedAlert[];
  /** Runs of the workflow (continue-as-new), 1 for most incidents. */
  runs: number;
}
