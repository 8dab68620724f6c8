import { NotifierError } from './types';

/** A receiver that takes longer than this is treated as failed; the send is retried. */
export const SEND_TIMEOUT_MS = 10_000;

/**
 * POSTs a JSON body and maps the answer to a NotifierError: 429, 408 and 5xx (and network errors) are
 * worth retrying, with the receiver's Retry-After when it gives one; any other 4xx is not.
 */
export async function postJson(
  what: string,
  url: string,
  body: string,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<string> {
  const timeout = AbortSignal.timeout(SEND_TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new NotifierError(`${what}: ${redact(url)} unreachable (${cause})`, true);
  }
  const text = (await res.text().catch(() => '')).slice(0, 300);
  if (res.ok) return text;
  const retryable = res.status === 429 || res.status === 408 || res.status >= 500;
  throw new NotifierError(
    `${what}: ${res.status} from ${redact(url)}${text ? `: ${text}` : ''}`,
    retryable,
    retryAfterSeconds(res.headers.get('retry-after')),
  );
}

/** Retry-After as seconds (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** A webhook URL is a credential (Slack's path is its secret): logs show the origin only. */
export function redact(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(bad url)';
  }
}
