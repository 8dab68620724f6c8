import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors';

/**
 * Reads the request body, counting bytes as they stream in: a body over `limit` is refused with 413
 * before it is buffered (a declared Content-Length over the limit is refused without reading at all).
 * Bytes past the limit are read and dropped so the sender sees the 413 rather than a reset connection.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = (): HttpError =>
    new HttpError(413, 'payload_too_large', `request body is larger than ${limit} bytes`, {
      headers: { connection: 'close' },
    });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();

  return await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        // Draining lets a modest overshoot see its 413. A flood is not read to its end, but it is still
        // answered: refused now, the 413 (Connection: close) goes out, then the server closes the
        // connection. Destroying the request here instead left the sender a reset and no answer.
        if (size > limit * 4 + 1024 * 1024) {
          req.pause();
          reject(tooLarge());
        }
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => (over ? reject(tooLarge()) : resolve(Buffer.concat(chunks, size))));
    req.once('error', (err) =>
      reject(new HttpError(400, 'bad_body', `could not read the body: ${err.message}`)),
    );
    req.once('aborted', () => reject(new HttpError(400, 'bad_body', 'the client aborted the request')));
  });
}

/** The media type of a Content-Type header, lower-cased, without parameters ("" when absent). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export function requireMediaType(req: IncomingMessage, accepted: readonly string[]): void {
  const type = mediaType(req);
  if (!accepted.includes(type)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `Content-Type must be ${accepted.join(' or ')}, got ${type ? `"${type}"` : 'none'}`,
      { field: 'content-type' },
    );
  }
}

/** Parses JSON from a body that has already been authenticated. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (err) {
    throw new HttpError(400, 'invalid_json', `body is not valid JSON (${(err as Error).message})`, {
      field: 'body',
    });
  }
}
