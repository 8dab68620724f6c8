import type { Truth } from './corpus';

/**
 * Turns what the runner saw into the corpus's figures: a confusion matrix of true class against
 * diagnosed class, detection precision and recall, actions on benign scenarios, time to detect and time
 * to recover per class, and whether the targets are met. Pure, so it is unit-tested.
 */

/** An incident the stack opened during a scenario. */
export interface IncidentSeen {
  workflowId: string;
  /** The service the incident was opened for. */
  service: string;
  /** Where the diagnosis put the root cause (absent when it never diagnosed). */
  rootService?: string;
  failureClass?: string;
  /** A victim linked to another incident: not a detection of its own, and never acting. */
  linkedTo?: string;
  openedAt: number;
  /** When its recovery check passed (an incident may stay open after that, to scale back in). */
  recoveredAt?: number;
  closedAt?: number;
  outcome?: string;
  /** Actions the incident applied. */
  actions: number;
}

export interface ScenarioObservation {
  scenario: string;
  truth: Truth[];
  /** Epoch ms of the first fault. */
  onset: number;
  incidents: IncidentSeen[];
  /** Actions Homeostat took on the fleet during the scenario (its ledger). */
  fleetActions: number;
  /** Times the eval's bot operator approved a plan that waited for a human. */
  approvals: number;
}

/** The row of the matrix for incidents where nothing was wrong, and the column for no incident. */
export const NO_FAULT = 'none';
export const MISSED = 'missed';

export interface ClassFigures {
  scenarios: number;
  diagnosedRight: number;
  detected: number;
  recovered: number;
  /** Seconds, median over the detected / recovered ones (null when none). */
  medianDetectSeconds: number | null;
  medianRecoverSeconds: number | null;
}

export interface EvalTargets {
  /** Detection within this many seconds of the onset counts as on time (two evaluation windows). */
  detectWithinSeconds: number;
  medianRecoverUnderSeconds: number;
}

export interface EvalReport {
  matrix: Record<string, Record<string, number>>;
  precision: number | null;
  recall: number | null;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  actionsOnBenign: number;
  perClass: Record<string, ClassFigures>;
  medianRecoverSeconds: number | null;
  medianDetectSeconds: number | null;
  targets: EvalTargets & {
    everyClassRight: boolean;
    zeroActionsOnBenign: boolean;
    detectedInTime: boolean;
    recoveredInTime: boolean;
  };
  misses: string[];
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

/** The incident that answers a truth: the earliest one (not a victim) whose root is the broken service. */
function matchTruth(truth: Truth, incidents: IncidentSeen[], taken: Set<string>): IncidentSeen | undefined {
  const own = incidents.filter((i) => !i.linkedTo && !taken.has(i.workflowId));
  const byRoot = own.filter((i) => (i.rootService ?? i.service) === truth.service);
  const byService = own.filter((i) => i.service === truth.service);
  return [...byRoot, ...byService].sort((a, b) => a.openedAt - b.openedAt)[0];
}

export function score(observations: ScenarioObservation[], targets: EvalTargets): EvalReport {
  const matrix: Record<string, Record<string, number>> = {};
  const bump = (row: string, col: string): void => {
    matrix[row] ??= {};
    matrix[row][col] = (matrix[row][col] ?? 0) + 1;
  };
  const perClass: Record<string, { n: number; right: number; detect: number[]; recover: number[] }> = {};
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let actionsOnBenign = 0;
  const misses: string[] = [];

  for (const obs of observations) {
    const taken = new Set<string>();
    if (obs.truth.length === 0) actionsOnBenign += obs.fleetActions;
    for (const truth of obs.truth) {
      const figures = (perClass[truth.failureClass] ??= { n: 0, right: 0, detect: [], recover: [] });
      figures.n++;
      const match = matchTruth(truth, obs.incidents, taken);
      if (!match) {
        fn++;
        bump(truth.failureClass, MISSED);
        misses.push(`${obs.scenario}: ${truth.failureClass} on ${truth.service} was not detected`);
        continue;
      }
      taken.add(match.workflowId);
      tp++;
      const diagnosed = match.failureClass ?? 'undiagnosed';
      bump(truth.failureClass, diagnosed);
      if (diagnosed === truth.failureClass && (match.rootService ?? match.service) === truth.service)
        figures.right++;
      else
        misses.push(
          `${obs.scenario}: ${truth.failureClass} on ${truth.service} diagnosed as ${diagnosed} on ${match.rootService ?? match.service}`,
        );
      figures.detect.push(seconds(Math.max(0, match.openedAt - obs.onset)));
      const recoveredAt = match.recoveredAt ?? (match.outcome === 'recovered' ? match.closedAt : undefined);
      if (recoveredAt !== undefined) figures.recover.push(seconds(recoveredAt - obs.onset));
    }
    for (const incident of obs.incidents) {
      if (incident.linkedTo || taken.has(incident.workflowId)) continue;
      fp++;
      bump(NO_FAULT, incident.failureClass ?? 'undiagnosed');
      misses.push(
        `${obs.scenario}: a false incident on ${incident.service} (${incident.failureClass ?? 'undiagnosed'}, ${incident.actions} actions)`,
      );
    }
  }

  const classFigures: Record<string, ClassFigures> = {};
  for (const [cls, f] of Object.entries(perClass))
    classFigures[cls] = {
      scenarios: f.n,
      diagnosedRight: f.right,
      detected: f.detect.length,
      recovered: f.recover.length,
      medianDetectSeconds: median(f.detect),
      medianRecoverSeconds: median(f.recover),
    };
  const allDetect = Object.values(perClass).flatMap((f) => f.detect);
  const allRecover = Object.values(perClass).flatMap((f) => f.recover);
  const medianRecover = median(allRecover);
  const truths = Object.values(perClass).reduce((n, f) => n + f.n, 0);
  return {
    matrix,
    precision: tp + fp === 0 ? null : tp / (tp + fp),
    recall: tp + fn === 0 ? null : tp / (tp + fn),
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    actionsOnBenign,
    perClass: classFigures,
    medianRecoverSeconds: medianRecover,
    medianDetectSeconds: median(allDetect),
    targets: {
      ...targets,
      everyClassRight: Object.values(perClass).every((f) => f.right === f.n),
      zeroActionsOnBenign: actionsOnBenign === 0,
      detectedInTime: allDetect.length === truths && allDetect.every((s) => s <= targets.detectWithinSeconds),
      recoveredInTime:
        allRecover.length === truths &&
        medianRecover !== null &&
        medianRecover < targets.medianRecoverUnderSeconds,
    },
    misses,
  };
}

/** The matrix as aligned text, true classes down, diagnosed classes across. */
export function formatMatrix(matrix: EvalReport['matrix']): string {
  const rows = Object.keys(matrix).sort();
  const cols = [...new Set(rows.flatMap((r) => Object.keys(matrix[r]!)))].sort();
  const width =
    Math.max('true \\ diagnosed'.length, ...rows.map((r) => r.length), ...cols.map((c) => c.length)) + 1;
  const pad = (s: string): string => s.padEnd(width);
  const lines = [pad('true \\ diagnosed') + cols.map(pad).join('')];
  for (const r of rows) lines.push(pad(r) + cols.map((c) => pad(String(matrix[r]![c] ?? '·'))).join(''));
  return lines.join('\n');
}
