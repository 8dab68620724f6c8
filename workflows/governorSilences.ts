import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import {
  askFlapping,
  emptyFlappingState,
  flappingLimits,
  invalidFlappingLimits,
  noteRecovery,
} from '../core/model/flapping';
import type { GovernorLogEntry, GovernorState, PauseRequest } from '../core/model/governor';
import type { PermitRelease } from '../core/model/permits';
import {
  invalidSilenceRequest,
  MAX_SILENCES,
  pruneSilences,
  silencesNamed,
  type Silence,
} from '../core/model/silence';
import { flappingUpdate, silenceUpdate, unsilenceUpdate } from './governorApi';

/**
 * The governor's silences and flapping memory: handlers registered by governorWorkflow (one call), the
 * rules in model/silence.ts and model/flapping.ts. Neither starts a command of its own, so governors
 * running before them replay unchanged.
 */

/** What the governor lends these handlers: its audit log, approver checks and UI details. */
export interface GovernorTools {
  record(kind: GovernorLogEntry['kind'], entry: Omit<GovernorLogEntry, 'at' | 'kind'>): void;
  approverOnly<T>(by: string, what: string, change: () => T | Promise<T>): Promise<T>;
  mustBeApprover(by: string, what: string): void;
  needsWho(req: PauseRequest): void;
  describe(): void;
}

const refuse = (message: string): never => {
  throw ApplicationFailure.create({ message, nonRetryable: true });
};

export function registerSilencesAndFlapping(state: GovernorState, tools: GovernorTools): void {
  const active = (): Silence[] => (state.silences = pruneSilences(state.silences, Date.now()));

  setHandler(
    silenceUpdate,
    (req) => {
      const now = Date.now();
      if (active().length >= MAX_SILENCES)
        refuse(`${MAX_SILENCES} silences are active; lift one first (or pause automation)`);
      state.silenceCount = (state.silenceCount ?? 0) + 1;
      const silence: Silence = {
        id: `silence-${state.silenceCount}`,
        service: req.service.trim(),
        ...(req.failureClass ? { failureClass: req.failureClass.trim() } : {}),
        by: req.by.trim(),
        reason: req.reason.trim(),
        at: new Date(now).toISOString(),
        until: new Date(now + req.durationSeconds * 1000).toISOString(),
      };
      state.silences = [...active(), silence];
      tools.record('silence', {
        by: silence.by,
        reason: `${silence.failureClass ? `${silence.failureClass} ` : ''}until ${silence.until}: ${silence.reason}`,
        service: silence.service,
        silenceId: silence.id,
      });
      tools.describe();
      return silence;
    },
    {
      validator: (req) => {
        const why = invalidSilenceRequest(req);
        if (why) throw new Error(why);
      },
    },
  );

  setHandler(
    unsilenceUpdate,
    (req) =>
      tools.approverOnly(req.by, 'lift a silence early', () => {
        // Looked up again: the silence may have expired or been lifted while the policy loaded.
        const lifted = silencesNamed(state.silences, req.target, Date.now());
        if (lifted.length === 0) refuse(`no active silence ${req.target}`);
        state.silences = active().filter((s) => !lifted.includes(s));
        for (const s of lifted)
          tools.record('unsilence', { by: req.by, reason: req.reason, service: s.service, silenceId: s.id });
        tools.describe();
        return lifted;
      }),
    {
      validator: (req) => {
        tools.needsWho(req);
        if (typeof req.target !== 'string' || !req.target.trim())
          throw new Error('name the silence to lift (its id or its service)');
        if (silencesNamed(state.silences, req.target, Date.now()).length === 0)
          throw new Error(`no active silence ${req.target} (\`homeostat safety\` lists them)`);
        tools.mustBeApprover(req.by, 'lift a silence early');
      },
    },
  );

  setHandler(
    flappingUpdate,
    (ask) => askFlapping((state.flapping ??= emptyFlappingState()), ask, Date.now()),
    {
      validator: (ask) => {
        for (const key of ['askId', 'incidentId', 'rootService', 'failureClass'] as const) {
          if (typeof ask?.[key] !== 'string' || !ask[key].trim()) throw new Error(`${key} is required`);
        }
        const why = invalidFlappingLimits(ask.limits);
        if (why) throw new Error(why);
      },
    },
  );
}

/**
 * Called by the governor's releasePermits handler: a recovery of a named failure is remembered for
 * flapping protection (releases from runs before it carry no failure, and change nothing).
 */
export function hearRelease(state: GovernorState, rel: PermitRelease, now: number): void {
  if (rel.result !== 'recovered' || !rel.rootService || !rel.failureClass) return;
  noteRecovery(
    (state.flapping ??= emptyFlappingState()),
    { incidentId: rel.incidentId, rootService: rel.rootService, failureClass: rel.failureClass },
    now,
    flappingLimits(rel.limits),
  );
}
