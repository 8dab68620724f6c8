import { z } from 'zod';
import { envBool as bool } from './envValues';

/**
 * Learning with a human in the loop: what people said about closed incidents (`homeostat feedback`) and
 * every change the feedback made (a track record adjusted, a playbook promoted, a detector threshold
 * raised). Held by the governor (the durable singleton; closed incidents cannot be signalled), each
 * change with an id so `homeostat learning revert <id>` can undo it. The rules: core/playbooks/learning.ts.
 */

export const FEEDBACK_VERDICTS = ['noise', 'right', 'wrong'] as const;
/**
 * noise: the alert should not have fired. right: the diagnosis and the playbook were right.
 * wrong: the diagnosis or the playbook was wrong (whatever the incident's own result said).
 */
export type FeedbackVerdict = (typeof FEEDBACK_VERDICTS)[number];

/** What the client sends: the incident's facts come from its search attributes (the client describes it). */
export interface FeedbackRequest {
  incidentId: string;
  verdict: FeedbackVerdict;
  by: string;
  reason: string;
  /** HomeostatService of the incident. */
  service: string;
  /** HomeostatPlaybook, absent when it never planned. */
  playbook?: string;
  /** HomeostatResult (recovered, failed, neutral), absent when it never acted. */
  result?: string;
  /** When the incident closed (the track record covers closed incidents of the last 30 days). */
  closedAt: string;
}

export interface Feedback extends FeedbackRequest {
  at: string;
  /** The changes this feedback made (ids in `changes`). */
  changeIds: string[];
}

/**
 * track-record: the incident counts as `counts` in its service+playbook's track record instead of its
 * own result. promotion: the playbook runs on the service without the catalog's approval. sensitivity:
 * the detector's threshold for the service is raised by `raise`.
 */
export type LearningChangeKind = 'track-record' | 'promotion' | 'sensitivity';

export interface LearningChange {
  id: string;
  kind: LearningChangeKind;
  service: string;
  playbook?: string;
  /** The incident whose feedback made the change. */
  incidentId: string;
  by: string;
  reason: string;
  at: string;
  /** For people: what changed and why, e.g. "threshold moved 3.5 → 4.0 for checkout after …". */
  explanation: string;
  /** track-record: how the incident counts now, and what its own result was (HomeostatResult). */
  counts?: 'recovered' | 'failed';
  was?: string;
  /** track-record: when the incident closed (counted while within the track record's window). */
  closedAt?: string;
  /** sensitivity: added to the detector's threshold for the service. */
  raise?: number;
  /** Set when undone: by a person (`learning revert`) or by newer feedback (replaced, or a `wrong`). */
  reverted?: { by: string; reason: string; at: string };
}

export interface LearningState {
  /** Incident workflow id → its feedback (one per incident; newer replaces older). Bounded. */
  feedback: Record<string, Feedback>;
  /** Every change, active and reverted, oldest first. Bounded. */
  changes: LearningChange[];
  /** The number of the last change id handed out (ids are `L<n>`). */
  lastId: number;
}

export interface LearningRevertRequest {
  id: string;
  by: string;
  reason: string;
}

/** What the governor answers a feedback with. */
export interface FeedbackAnswer {
  feedback: Feedback;
  /** Changes made now. */
  changes: LearningChange[];
  /** Changes undone by this feedback (the incident's earlier feedback, or a promotion a `wrong` revoked). */
  reverted: LearningChange[];
  /** Why nothing changed, where nothing did (e.g. a threshold already at its cap). */
  notes: string[];
}

/** The `learning` configuration section: what feedback may change. */
export const learningConfigSchema = z.object({
  /**
   * Let `right` feedback promote a playbook the catalog makes wait for approval to run unattended on a
   * service. Off by default: the catalog's approvals stay unless the operator opts in.
   */
  promote: bool.default(false),
  /** Consecutive `right` verdicts on a service+playbook (no `wrong` between) before it is promoted. */
  promoteAfter: z.coerce.number().int().min(1).max(100).default(3),
  /** How far one `noise` raises the detector's threshold (modified z-score) for the service. */
  sensitivityStep: z.coerce.number().positive().max(10).default(0.5),
  /** The raised threshold stays at most this multiple of the configured one. */
  maxSensitivityFactor: z.coerce.number().min(1).max(10).default(2),
});
export type LearningConfig = z.output<typeof learningConfigSchema>;

/** The learning settings the worker hands the governor: the section plus the detector's configured threshold. */
export interface LearningSettings extends LearningConfig {
  baseSensitivity: number;
}

export const LEARNING_ENV_KEYS: Record<string, readonly string[]> = {
  HOMEOSTAT_LEARNING_PROMOTE: ['promote'],
  HOMEOSTAT_LEARNING_PROMOTE_AFTER: ['promoteAfter'],
  HOMEOSTAT_LEARNING_SENSITIVITY_STEP: ['sensitivityStep'],
  HOMEOSTAT_LEARNING_MAX_SENSITIVITY_FACTOR: ['maxSensitivityFactor'],
};

/** Defaults, for workers and tests that build their settings by hand. */
export const DEFAULT_LEARNING_SETTINGS: LearningSettings = {
  ...learningConfigSchema.parse({}),
  baseSensitivity: 3.5,
};

export function emptyLearningState(): LearningState {
  return { feedback: {}, changes: [], lastId: 0 };
}
