import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { HomeostatConfig } from '../core/model/config';
import type { SafetyLimits } from '../core/model/permits';
import type { Catalog } from '../core/playbooks/schema';
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
