import { HttpError } from './errors';

/** One URL path segment, decoded; a malformed escape is the client's error (400) naming `field` (as `label`). */
export function decodePathSegment(segment: string, field: string, label = field): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'invalid_request', `${label} is not valid URL encoding`, { field });
  }
}
