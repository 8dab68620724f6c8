import { ProviderError } from '../types';

/**
 * JSON over HTTP to the local fleet's control API, with its answers mapped to ProviderError: 4xx means
 * the request itself is wrong (not retryable), 5xx and connection failures may pass (retryable).
 */
export class FleetControlClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new ProviderError(
        `local fleet control API unreachable at ${url}: ${(err as Error).message}`,
        'unavailable',
        true,
        { cause: err },
      );
    }
    const text = await response.text();
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
