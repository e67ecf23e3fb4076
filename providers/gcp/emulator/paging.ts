// Keyset paging for list calls: the page token names the last item served, so VMs created or
// deleted between pages never shift the window (GCE tokens are opaque to clients as well).
import { invalidField, type WireError } from './wire';

export const GCE_MAX_RESULTS = 500;

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export function encodePageToken(lastKey: string): string {
  return Buffer.from(JSON.stringify({ after: lastKey })).toString('base64url');
}

export function decodePageToken(token: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { after?: unknown }).after === 'string') {
      return (parsed as { after: string }).after;
    }
  } catch {
    // fall through: not one of ours
  }
  return undefined;
}

/** Size of page to serve for a `maxResults` query value, or the 400 GCE gives for a bad one. */
export function pageSizeFor(maxResults: string | undefined, serverMax: number): number | WireError {
  if (maxResults === undefined || maxResults === '') return Math.min(GCE_MAX_RESULTS, serverMax);
  const asked = Number(maxResults);
  if (!Number.isInteger(asked) || asked < 0) {
    return invalidField('maxResults', maxResults, 'Must be a non-negative integer.');
  }
  if (asked > GCE_MAX_RESULTS) {
    return invalidField('maxResults', maxResults, `Must be less than or equal to ${GCE_MAX_RESULTS}`);
  }
  return Math.min(asked === 0 ? GCE_MAX_RESULTS : asked, serverMax);
}

/** One page of `sorted` (ascending by `keyOf`) after the token's key. */
export function pageAfter<T>(
  sorted: readonly T[],
  keyOf: (item: T) => string,
  pageToken: string | undefined,
  size: number,
): Page<T> | WireError {
  let start = 0;
  if (pageToken) {
    const after = decodePageToken(pageToken);
    if (after === undefined) return invalidField('pageToken', pageToken, 'Invalid page token.');
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (keyOf(sorted[mid]!) <= after) low = mid + 1;
      else high = mid;
    }
    start = low;
  }
  const items = sorted.slice(start, start + size);
  const more = start + size < sorted.length;
  const last = items[items.length - 1];
  return more && last !== undefined ? { items, nextPageToken: encodePageToken(keyOf(last)) } : { items };
}

export function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
}
