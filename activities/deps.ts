import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { HomeostatConfig } from '../core/model/config';
import type { ActionTimeouts } from '../core/model/incidentState';
import type { LearningSettings } from '../core/model/learning';
import type { SafetyLimits } from '../core/model/permits';
import type { Catalog } from '../core/playbooks/schema';
import type { NotificationSetup } from '../providers/notifiers';
import { ProviderError, type Providers } from '../providers/types';

/** What the incident activities need from the worker process. */
export interface ActivityDeps {
  /** Absent when the worker has no target configured: incident activities then fail non-retryably. */
  providers?: Providers;
  catalog: Catalog;
  incidents: HomeostatConfig['incidents'];
  approvers: string[];
  /** Rate limits, blast radius and breaker thresholds the governor applies (defaults when absent). */
  safety?: SafetyLimits;
  /** Where outcomes are recorded (one JSON file per incident run). */
  recordDir: string;
  /** For activities that read other workflows (the governor's pause); without it nothing is paused. */
  client?: Client;
  /**
   * Timeouts of executeAction and compensateStep, derived from the provider (actionTimeoutsFor); loadPolicy
   * hands them to the incident, which builds its action proxy from them. Absent without a target.
   */
  actionTimeouts?: ActionTimeouts;
  /** What feedback may change, handed to the governor with the policy (absent: DEFAULT_LEARNING_SETTINGS). */
  learning?: LearningSettings;
  /** Where incident events are announced (activities/notify.ts); absent: nowhere. */
  notifications?: NotificationSetup;
}

/**
 * Heartbeat timeout of the action activities. They beat on their own ticker (act.ts, every 4 s at this
 * timeout), whatever the provider's poll interval; the SDK sends at most every 0.8 × timeout (16 s), which
 * leaves 4 s for a slow event loop or network. Short enough that a dead worker's action resumes on
 * another within 20 s.
 */
export const ACTION_HEARTBEAT_SECONDS = 20;

/**
 * Start-to-close beyond the provider's own limit: the activity's own work around the provider call
 * (encoding, heartbeats, a slow event loop). The provider gives up first and says why.
 */
export const ACTION_START_TO_CLOSE_MARGIN_SECONDS = 60;

/**
 * The action activities' timeouts for a provider: start-to-close outlasts the longest action the provider
 * allows (AWS: its steady-state timeout plus its SDK calls; local fleet: its action timeout plus its
 * requests), so Temporal never cuts off an action the provider still considers in time.
 */
export function actionTimeoutsFor(providers: Pick<Providers, 'maxActionSeconds'>): ActionTimeouts {
  return {
    startToCloseSeconds: Math.ceil(providers.maxActionSeconds) + ACTION_START_TO_CLOSE_MARGIN_SECONDS,
    heartbeatSeconds: ACTION_HEARTBEAT_SECONDS,
  };
}

export function requireProviders(deps: ActivityDeps): Providers {
  if (!deps.providers) {
    throw ApplicationFailure.nonRetryable(
      'this worker has no target configured (HOMEOSTAT_TARGET)',
      'NoTarget',
    );
  }
  return deps.providers;
}

/**
 * Runs a provider call, turning a non-retryable ProviderError (validation, access denied, unknown
 * service) into a non-retryable activity failure with the provider's message, so the incident sees it
 * at once instead of after every retry.
 */
export async function providerCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ProviderError && !err.retryable) {
      throw ApplicationFailure.nonRetryable(err.message, `Provider.${err.code}`);
    }
    throw err;
  }
}
