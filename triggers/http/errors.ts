/**
 * A request that ends with a definite 4xx/5xx answer. Thrown anywhere in the request pipeline and turned
 * into one JSON response by the server, so every refusal has the same shape: `{ error, message, field? }`.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { field?: string; headers?: Record<string, string>; details?: unknown } = {},
  ) {
    super(message);
  }
}

export const unauthorized = (message: string): HttpError => new HttpError(401, 'unauthorized', message);

export const badRequest = (field: string, message: string, details?: unknown): HttpError =>
  new HttpError(400, 'invalid_request', `${field}: ${message}`, { field, details });
