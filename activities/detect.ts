import { activityInfo, log } from '@temporalio/activity';
import { readLearning } from '../client/learning';
import { DEFAULT_LEARNING_SETTINGS, type LearningState } from '../core/model/learning';
import { learnedDetectorSettings } from '../core/playbooks/learning';
import { judgeService, type DetectorSettings } from '../core/detection/evaluate';
import type { TimeRange } from '../core/detection/ranges';
import { DETECTOR_METRICS } from '../core/detection/signals';
import type { DetectorEvaluation } from '../core/detection/state';
import type { Alert } from '../core/model/alert';
import { intake, type IntakeResult } from '../triggers/intake';
import { providerCall, requireProviders, type ActivityDeps } from './deps';

export interface EvaluateDetectorInput {
  services: string[];
  settings: DetectorSettings;
  /** Per service, the ranges in which the detector was firing: left out of its baselines. */
  exclusions: Record<string, TimeRange[]>;
  /** Availability objectives per service (SLO burn rates). */
  slos: Record<string, number>;
}

/** How far back one evaluation reads: the baseline, the longest burn window, and one period for seasonality. */
export function lookbackSeconds(s: DetectorSettings): number {
  return Math.max(
    s.baselineSeconds,
    ...s.burnWindows.map((w) => w.longSeconds),
    s.seasonalPeriodSeconds > 0 ? s.seasonalPeriodSeconds + s.recentSeconds : 0,
  );
}

/**
 * The thresholds `noise` feedback raised, read from the governor in the activity so the detector's
 * workflow is unchanged. A governor that cannot answer leaves the configured thresholds (detection must
 * not stop for it); the next evaluation asks again.
 */
async function learnedThresholds(deps: ActivityDeps): Promise<LearningState | null> {
  if (!deps.client) return null;
  try {
    const client = deps.client;
    // Well within the evaluation's heartbeat timeout: a governor without a worker cannot hold it up.
    return await client.withDeadline(Date.now() + LEARNING_READ_MS, () =>
      readLearning(client, activityInfo().taskQueue),
    );
  } catch (err) {
    log.warn(
      `detector: configured thresholds used; the governor's learning is unreadable (${(err as Error).message})`,
    );
    return null;
  }
}

const LEARNING_READ_MS = 3_000;

const maxSensitivityFactor = (deps: ActivityDeps): number =>
  deps.learning?.maxSensitivityFactor ?? DEFAULT_LEARNING_SETTINGS.maxSensitivityFactor;

export function detectActivities(deps: ActivityDeps) {
  return {
    /**
     * Reads every watched service's series (through the configured SignalProvider) and dependencies
     * (the remediation provider's describe) and judges them. Read-only, so a retry is harmless; a
     * service that cannot be read is reported, not fatal (the others are still judged).
     */
    async evaluateDetector(input: EvaluateDetectorInput): Promise<DetectorEvaluation> {
      const providers = requireProviders(deps);
      const at = Date.now();
      const from = new Date(at - lookbackSeconds(input.settings) * 1000);
      const evaluation: DetectorEvaluation = { at, services: [], dependencies: {}, errors: {} };
      const learning = await learnedThresholds(deps);
      await Promise.all(
        input.services.map(async (service) => {
          try {
            const [series, topology] = await Promise.all([
              providerCall(() =>
                providers.signals.series({
                  service,
                  metrics: DETECTOR_METRICS,
                  from,
                  to: new Date(at),
                  stepSeconds: 1,
                  byTarget: true,
                }),
              ),
              providerCall(() => providers.remediation.describe(service)),
            ]);
            evaluation.dependencies[service] = topology.dependencies;
            evaluation.services.push(
              judgeService(
                service,
                series,
                at,
                learnedDetectorSettings(input.settings, learning, service, maxSensitivityFactor(deps)),
                input.exclusions[service] ?? [],
                input.slos[service],
              ),
            );
          } catch (err) {
            evaluation.errors[service] = (err as Error).message.slice(0, 300);
          }
        }),
      );
      evaluation.services.sort((a, b) => a.service.localeCompare(b.service));
      return evaluation;
    },

    /**
     * Delivers the detector's alerts through intake(), on this worker's task queue. Idempotent: the
     * incident id comes from the service, and an alert's identity (fingerprint + onset + status) from
     * the episode, so a retried delivery joins the same incident and its de-duplication drops repeats.
     */
    async deliverDetectorAlerts(alerts: Alert[]): Promise<IntakeResult[]> {
      if (!deps.client) throw new Error('this worker has no Temporal client to deliver alerts with');
      return await intake(alerts, {
        client: deps.client,
        taskQueue: activityInfo().taskQueue,
      });
    },
  };
}
