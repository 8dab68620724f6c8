import {
  activityInfo,
  ApplicationFailure,
  CancelledFailure,
  Context,
  heartbeat,
  log,
} from '@temporalio/activity';
import type { ActionSpec, CompensationKind } from '../core/model/plan';
import type { ActionOutcome } from '../core/model/signals';
import type { RemediationProvider } from '../providers/types';
import { providerCall, requireProviders, type ActivityDeps } from './deps';

export interface ExecuteRequest {
  /** Stable across retries and worker restarts: the provider's ledger applies it once. */
  actionId: string;
  action: ActionSpec;
}

export interface CompensateRequest {
  actionId: string;
  kind: CompensationKind;
  action: ActionSpec;
  /**
   * What the step reported. Absent when nobody knows how it ended (the action was cancelled or timed out
   * mid-flight): compensateStep then learns it from the provider first (see learnOutcome).
   */
  outcome?: ActionOutcome;
}

/** A compensation whose step's outcome is known. */
export type KnownCompensation = CompensateRequest & { outcome: ActionOutcome };

/** What one provider call gets besides the action: its id, where progress goes, and how to stop it. */
interface Call {
  actionId: string;
  onProgress: (detail: string) => void;
  signal: AbortSignal;
}

/** Applies one action through the provider; the provider's ledger makes a retry or a new worker a no-op. */
function apply(r: RemediationProvider, call: Call, a: ActionSpec): Promise<ActionOutcome> {
  const base = { ...call, service: a.service };
  switch (a.kind) {
    case 'set-release':
      return r.setRelease({ ...base, release: a.release, ...(a.targets ? { targets: a.targets } : {}) });
    case 'restart':
      return r.restart({ ...base, ...(a.targets ? { targets: a.targets } : {}) });
    case 'set-weights':
      return r.setWeights({ ...base, weights: a.weights });
    case 'scale':
      return r.scale({ ...base, desiredCount: a.desiredCount });
    case 'clear-cache':
      return r.clearCache({ ...base, ...(a.targets ? { targets: a.targets } : {}) });
    case 'replay-dead-letters':
      return r.replayDeadLetters({ ...base, ...(a.max ? { max: a.max } : {}) });
  }
}

/** The actions that undo a completed one, from what it reported it changed. */
export function undoActions(req: KnownCompensation): ActionSpec[] {
  const { service } = req.action;
  const before = req.outcome.before;
  switch (req.kind) {
    case 'restore-release': {
      const byRelease = new Map<string, string[]>();
      const after = req.outcome.after.release ?? {};
      for (const [target, release] of Object.entries(before.release ?? {})) {
        if (after[target] === release) continue; // untouched by the step: nothing to restore
        byRelease.set(release, [...(byRelease.get(release) ?? []), target]);
      }
      return [...byRelease].map(([release, targets]) => ({ kind: 'set-release', service, release, targets }));
    }
    case 'restore-weights':
      return before.weights ? [{ kind: 'set-weights', service, weights: before.weights }] : [];
    case 'restore-count':
      return before.desiredCount !== undefined
        ? [{ kind: 'scale', service, desiredCount: before.desiredCount }]
        : [];
    case 'none':
      return [];
  }
}

/**
 * How often an action heartbeats while its provider call is pending: several times per heartbeat
 * timeout, and at least every 5 s. Independent of the provider's poll interval (AWS polls ECS every 15 s
 * by default), which is why it is a ticker and not a beat per poll: a slow poll can no longer starve the
 * heartbeat. The SDK sends at most every 0.8 × the timeout, always with the newest details.
 */
export function heartbeatEveryMs(heartbeatTimeoutMs: number | undefined): number {
  return heartbeatTimeoutMs ? Math.min(5_000, Math.max(50, heartbeatTimeoutMs / 5)) : 5_000;
}

/**
 * Runs a provider call on a heartbeat ticker whose details are `details()` (the latest progress), with
 * the activity's cancellation signal. A call that ends because the activity was cancelled rethrows the
 * cancellation itself (the SDK's CancelledFailure), so Temporal reports the activity cancelled — not
 * failed, which a retry would answer by acting again. Heartbeats are also what deliver that
 * cancellation to the worker, so the ticker keeps it prompt.
 */
async function heartbeating<T>(
  details: () => unknown,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const signal = Context.current().cancellationSignal;
  heartbeat(details());
  const ticker = setInterval(() => heartbeat(details()), heartbeatEveryMs(activityInfo().heartbeatTimeoutMs));
  try {
    return await call(signal);
  } catch (err) {
    if (signal.aborted) {
      const reason: unknown = signal.reason;
      throw reason instanceof CancelledFailure
        ? reason
        : new CancelledFailure('CANCELLED', [], err instanceof Error ? err : undefined);
    }
    throw err;
  } finally {
    clearInterval(ticker);
  }
}

/** The heartbeat details of compensateStep: its progress, and the step's outcome once learned. */
interface CompensationBeat {
  progress: string;
  outcome?: ActionOutcome;
}

/** The outcome an earlier attempt of this compensation learned (its last heartbeat carried it). */
function carriedOutcome(actionId: string): ActionOutcome | undefined {
  const details = activityInfo().heartbeatDetails as Partial<CompensationBeat> | undefined;
  const outcome = details && typeof details === 'object' ? details.outcome : undefined;
  return outcome?.actionId === actionId ? outcome : undefined;
}

/**
 * Sends the step again to learn its outcome. If that fails for good (the step itself failed, say a
 * rollout the ECS circuit breaker stopped), nothing says what to undo: the compensation fails, naming
 * why, for a human to look at.
 */
async function learnOutcome(send: () => Promise<ActionOutcome>): Promise<ActionOutcome> {
  try {
    return await send();
  } catch (err) {
    if (err instanceof ApplicationFailure && err.nonRetryable) {
      throw ApplicationFailure.nonRetryable(
        `the step's outcome was unknown and asking the provider again failed: ${err.message}`,
        err.type,
      );
    }
    throw err;
  }
}

export function actActivities(deps: ActivityDeps) {
  return {
    async executeAction(req: ExecuteRequest): Promise<ActionOutcome> {
      const r = requireProviders(deps).remediation;
      let progress = `attempt ${activityInfo().attempt}`;
      const fields = { actionId: req.actionId, action: req.action.kind, service: req.action.service };
      log.info(`applying ${req.action.kind} to ${req.action.service}`, fields);
      const outcome = await heartbeating(
        () => progress,
        (signal) =>
          providerCall(() =>
            apply(r, { actionId: req.actionId, onProgress: (d) => (progress = d), signal }, req.action),
          ),
      );
      log.info(`applied ${req.action.kind} to ${req.action.service}: ${outcome.summary}`, fields);
      return outcome;
    },

    /**
     * Undoes a step; each undo action has its own derived id, so a retried compensation is safe too.
     *
     * When the step's outcome is unknown (cancelled or timed out mid-flight), the step is first sent
     * again with the SAME action id and action: both providers' ledgers answer a repeated id with its
     * first result, waiting for it if it is still in flight, so this learns what the step changed —
     * without changing anything twice — and undoes exactly that. (If the step never reached the
     * provider, this applies it now and undoes it at once: more work, same end state.) The learned
     * outcome rides on the heartbeat details, so a retry of this compensation does not ask again: on AWS
     * a cell's ledger remembers only its latest action, which by then may be one of the undo actions.
     */
    async compensateStep(req: CompensateRequest): Promise<string[]> {
      const r = requireProviders(deps).remediation;
      const beat: CompensationBeat = { progress: `compensating ${req.actionId}` };
      return await heartbeating(
        () => beat,
        async (signal) => {
          const call = (actionId: string): Call => ({
            actionId,
            onProgress: (d) => (beat.progress = d),
            signal,
          });
          // A step that changed nothing undoable needs no outcome (and no second call).
          if (req.kind === 'none') return [];
          let outcome = req.outcome ?? carriedOutcome(req.actionId);
          if (!outcome) {
            beat.progress = `learning how ${req.actionId} ended`;
            outcome = await learnOutcome(() => providerCall(() => apply(r, call(req.actionId), req.action)));
            beat.outcome = outcome;
            heartbeat(beat);
          }
          const summaries: string[] = [];
          log.info(`compensating ${req.actionId} (${req.kind})`, { actionId: req.actionId, kind: req.kind });
          let i = 0;
          for (const undo of undoActions({ ...req, outcome })) {
            const done = await providerCall(() => apply(r, call(`${req.actionId}/undo${i++}`), undo));
            summaries.push(done.summary);
          }
          return summaries;
        },
      );
    },
  };
}
