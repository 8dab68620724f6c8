import { ProviderError } from '../types';

/** Prometheus refuses a range query of more than 11,000 points per series. */
export const MAX_POINTS = 11_000;

/** One series of a range query: its labels and [unix seconds, "value"] pairs. */
export interface MatrixSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

export interface PrometheusClientOptions {
  url: string;
  timeoutMs: number;
  bearerToken?: string;
  username?: string;
  password?: string;
}

/** What a query is for, so every error names the metric, the service and the query. */
export interface QueryContext {
  metric: string;
  what: string;
}

interface ApiReply {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

/**
 * The one call the provider makes: POST /api/v1/query_range (a form body, so a long query never meets
 * a URL length limit). Failures become ProviderErrors: unreachable, timed out and 5xx are retryable;
 * a query Prometheus rejects (400/422) or refused credentials (401/403) are not.
 */
export class PrometheusClient {
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: PrometheusClientOptions) {
    this.endpoint = `${options.url.replace(/\/+$/, '')}/api/v1/query_range`;
    this.headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (options.bearerToken) this.headers.authorization = `Bearer ${options.bearerToken}`;
    else if (options.username && options.password)
      this.headers.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  }

  async queryRange(
    query: string,
    startSeconds: number,
    endSeconds: number,
    stepSeconds: number,
    ctx: QueryContext,
  ): Promise<MatrixSeries[]> {
    const about = `${ctx.metric} (${ctx.what})`;
    const body = new URLSearchParams({
      query,
      start: String(startSeconds),
      end: String(endSeconds),
      step: String(stepSeconds),
    });
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: this.headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError')
        throw new ProviderError(
          `Prometheus at ${this.options.url} did not answer within ${this.options.timeoutMs / 1000} s ` +
            `(HOMEOSTAT_PROMETHEUS_TIMEOUT_SECONDS) querying ${about}`,
          'timeout',
          true,
          { cause: err },
        );
      const reason = e.cause?.code ?? e.cause?.message ?? e.message;
      throw new ProviderError(
        `Prometheus unreachable at ${this.options.url} (${reason}) querying ${about}; ` +
          'is it running, and is HOMEOSTAT_PROMETHEUS_URL right?',
        'unavailable',
        true,
        { cause: err },
      );
    }
    let reply: ApiReply | undefined;
    try {
      reply = JSON.parse(text) as ApiReply;
    } catch {
      reply = undefined;
    }
    if (!response.ok || reply?.status !== 'success') {
      const detail = reply?.error
        ? `${reply.errorType ?? 'error'}: ${reply.error}`
        : `${text.slice(0, 200) || 'empty reply'}`;
      const message = `Prometheus answered HTTP ${response.status} (${detail}) for ${about}; query: ${query}`;
      if (response.status === 401 || response.status === 403)
        throw new ProviderError(
          `${message}; check HOMEOSTAT_PROMETHEUS_BEARER_TOKEN or HOMEOSTAT_PROMETHEUS_USERNAME/PASSWORD`,
          'access_denied',
          false,
        );
      if (response.status === 400 || response.status === 422)
        throw new ProviderError(message, 'bad_query', false);
      if (response.status === 404)
        throw new ProviderError(
          `${message}; is HOMEOSTAT_PROMETHEUS_URL the Prometheus base URL?`,
          'not_found',
          false,
        );
      // 429, 5xx (503: not ready, overloaded), or a 200 that is not a Prometheus reply.
      throw new ProviderError(message, 'prometheus_error', response.status === 429 || response.status >= 500);
    }
    const data = reply.data;
    if (data?.resultType !== 'matrix' || !Array.isArray(data.result))
      throw new ProviderError(
        `Prometheus returned a ${data?.resultType ?? 'missing'} result for ${about}, expected a matrix; query: ${query}`,
        'bad_query',
        false,
      );
    return data.result as MatrixSeries[];
  }
}
