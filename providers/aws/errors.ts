import { throwIfAborted } from '../abort';
import { ProviderError } from '../types';

/**
 * Turns what the SDK throws (after its own retries) into a ProviderError the activity understands.
 * Retryable: throttling, server faults, network trouble — the activity's retry policy takes over once
 * the SDK's attempts are spent. Not retryable: everything the caller got wrong or may not do (access
 * denied, validation, unknown cluster or service), which no retry can fix; the API's message is kept.
 */

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
  'LimitExceededException',
]);

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'TimeoutError']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

export function isRetryableAwsError(err: unknown): boolean {
  const e = (err ?? {}) as SdkErrorShape;
  if (e.$retryable) return true;
  if (e.name && THROTTLING.has(e.name)) return true;
  if (e.code && NETWORK.has(e.code)) return true;
  if (e.name && NETWORK.has(e.name)) return true;
  if (e.$fault === 'server') return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  // No HTTP response at all: the request never got an answer (connection trouble).
  return e.$fault === undefined;
}

export function toProviderError(what: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = (err ?? {}) as SdkErrorShape;
  const code = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'AwsError');
  const message = e.message || String(err);
  return new ProviderError(`${what}: ${message}`, code, isRetryableAwsError(err), { cause: err });
}

/** What `aws()` hands the call: pass it to `send(command, options)`. */
export interface SendOptions {
  abortSignal?: AbortSignal;
}

/**
 * Runs one AWS call; any failure comes out as a ProviderError naming the call. With a signal, the SDK
 * aborts the request when it fires, and the call ends with the signal's reason instead (a cancellation,
 * not a retryable network error).
 */
export async function aws<T>(
  what: string,
  call: (options: SendOptions) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  throwIfAborted(signal);
  try {
    return await call(signal ? { abortSignal: signal } : {});
  } catch (err) {
    throwIfAborted(signal);
    throw toProviderError(what, err);
  }
}

/** A non-retryable failure of our own making (bad request from the workflow, unknown service). */
export function invalid(message: string, code = 'InvalidRequest'): ProviderError {
  return new ProviderError(message, code, false);
}
