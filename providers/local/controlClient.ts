import { throwIfAborted } from '../abort';
import { ProviderError } from '../types';

/** How long one request to the control API may take before it counts as unreachable (retryable). */
export const CONTROL_REQUEST_TIMEOUT_MS = 30_000;

/**
 * JSON over HTTP to the local fleet's control API, with its answers mapped to ProviderError: 4xx means
 * the request itself is wrong (not retryable), 5xx and connection failures may pass (retryable).
 * A caller's `signal` aborts the request too; the call then ends with the signal's reason, not a
 * ProviderError, so a cancellation is never mistaken for an unreachable fleet worth retrying.
 */
export class FleetControlClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = CONTROL_REQUEST_TIMEOUT_MS,
  ) {}

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.call<T>('GET', path, undefined, signal);
  }

  post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.call<T>('POST', path, body, signal);
  }

  private async call<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${path}`;
    throwIfAborted(signal);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await response.text();
    } catch (err) {
      throwIfAborted(signal);
      throw new ProviderError(
        `local fleet control API unreachable at ${url}: ${(err as Error).message}`,
        'unavailable',
        true,
        { cause: err },
      );
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { error: text };
    }
    if (response.ok) return parsed as T;
    const { error, field } = parsed as { error?: string; field?: string };
    const message = `local fleet ${method} ${path} → ${response.status}: ${error ?? 'no detail'}`;
    if (response.status === 404 && field === 'service')
      throw new ProviderError(message, 'unknown_service', false);
    if (response.status === 409) throw new ProviderError(message, 'conflict', false);
    if (response.status >= 400 && response.status < 500)
      throw new ProviderError(message, field ? `invalid_${field}` : 'invalid_request', false);
    throw new ProviderError(message, 'fleet_error', true);
  }
}
