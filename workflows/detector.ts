import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { HomeostatActivities } from '../activities';
import {
  advance,
  emptyDetectorState,
  markDelivered,
  outbox,
  viewOf,
  type DetectorState,
} from '../core/detection/state';
import { configureDetectorSignal, detectorStateQuery, type DetectorInput } from './detector/api';

const { evaluateDetector } = proxyActivities<Pick<HomeostatActivities, 'evaluateDetector'>>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  // A failed read is tried again next evaluation; retrying it now only delays the next one.
  retry: { maximumAttempts: 2 },
});
const { deliverDetectorAlerts } = proxyActivities<Pick<HomeostatActivities, 'deliverDetectorAlerts'>>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { maximumAttempts: 5 },
});

/**
 * The detector: one long-running workflow (`homeostat-detector`) that every `intervalSeconds` has an
 * activity read and judge the watched services, keeps persistence, episodes and firing ranges in its
 * state (core/detection/state.ts), and delivers the alerts it owes through intake(). Continues as new
 * every `evaluationsPerRun` evaluations (or when the server suggests it), carrying its state.
 */
export async function detectorWorkflow(input: DetectorInput): Promise<void> {
  let config = input.config;
  let state: DetectorState = input.state ?? emptyDetectorState();
  setHandler(detectorStateQuery, () => viewOf(state));
  setHandler(configureDetectorSignal, (next) => {
    config = next;
  });

  for (let run = 0; run < config.evaluationsPerRun && !workflowInfo().continueAsNewSuggested; run++) {
    try {
      const evaluation = await evaluateDetector({
        services: config.services,
        settings: config,
        exclusions: state.exclusions,
        slos: config.slos,
      });
      const stepped = advance(state, evaluation, config);
      state = stepped.state;
      for (const line of stepped.log) log.info(`detector: ${line}`);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn(
        `detector: evaluation failed, trying again next interval (${err.cause?.message ?? err.message})`,
      );
    }
    const owed = outbox(state, config.incidentScope);
    if (owed.length > 0) {
      try {
        await deliverDetectorAlerts(owed);
        state = markDelivered(state, owed);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        // Kept in the outbox: the next evaluation delivers them again (same identity, no duplicate).
        log.warn(
          `detector: delivery failed, trying again next interval (${err.cause?.message ?? err.message})`,
        );
      }
    }
    setCurrentDetails(describe(state));
    await sleep(config.intervalSeconds * 1000);
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof detectorWorkflow>({ config, state });
}

/** The Temporal UI's current details: what fires where, in a line or two. */
function describe(state: DetectorState): string {
  const episodes = Object.values(state.episodes);
  const lines = [
    `${state.evaluations} evaluations; last at ${state.lastAt ? new Date(state.lastAt).toISOString() : '—'}`,
    ...episodes.map(
      (e) =>
        `${e.service}: ${e.signals.join(', ')} since ${new Date(e.onset).toISOString()} — ` +
        (e.role === 'root'
          ? `alerted${e.related.length ? ` (victims ${e.related.join(', ')})` : ''}`
          : `victim of ${e.related.join(', ')}`),
    ),
    ...Object.entries(state.errors).map(([s, why]) => `${s}: cannot read (${why})`),
  ];
  if (episodes.length === 0) lines.push('nothing firing');
  return lines.join('\n');
}
