import type { ServerResponse } from 'node:http';
import { HttpError } from './errors';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  const { field, details, headers } = err.extra;
  sendJson(
    res,
    err.status,
    {
      error: err.code,
      message: err.message,
      ...(field !== undefined ? { field } : {}),
      ...(details !== undefined ? { details } : {}),
    },
    headers,
  );
}
