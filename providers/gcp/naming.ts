// Everything derived from the idempotency key: the instance name (unique per zone, so a second
// insert with the same key collides instead of duplicating) and the GCE requestId (a UUID).
import { createHash } from 'node:crypto';
import type { SkyportTags } from '../types';
import { decodeLabelValue, encodeLabelValue, parseSkyportTags, skyportTagMap } from '../shared/tags';

/** Fixed namespace for Skyport's name-based request ids (UUID v5 construction, RFC 9562 §5.5). */
const REQUEST_ID_NAMESPACE = Buffer.from('5b0f7c1e2d9a4e6b8f3a1c7d9e2b4a60', 'hex');
const MAX_NAME = 63;
const NAME_PREFIX = 'sp-';
const DIGEST_CHARS = 10;

/** Deterministic UUID v5 for a key: retries of one create carry the same GCE requestId. */
export function requestIdForKey(idempotencyKey: string): string {
  const bytes = createHash('sha1').update(REQUEST_ID_NAMESPACE).update(idempotencyKey, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * RFC 1035 instance name for a key: readable slug of the key plus a hash of the whole key, so keys
 * that slug alike (case, punctuation, truncation) still get different names.
 */
export function instanceNameForKey(idempotencyKey: string): string {
  const digest = createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, DIGEST_CHARS);
  const room = MAX_NAME - NAME_PREFIX.length - 1 - DIGEST_CHARS;
  const slug = idempotencyKey
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, room)
    .replace(/^-+|-+$/g, '');
  return slug ? `${NAME_PREFIX}${slug}-${digest}` : `${NAME_PREFIX}${digest}`;
}

/** GCE label keys: lower-case letter first, then [a-z0-9_-], at most 63. */
export function labelKeyFor(key: string): string | undefined {
  const cleaned = key
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, MAX_NAME);
  return /^[a-z]/.test(cleaned) ? cleaned : undefined;
}

/** The labels an instance is created with: user labels first, the Skyport ones always win. */
export function labelsFor(tags: SkyportTags, extraTags: Record<string, string> = {}): Record<string, string> {
  const labels: Record<string, string> = {};
  // skyportTagMap lists user tags first, so a user key that maps onto a Skyport label is overwritten.
  for (const [key, value] of Object.entries(skyportTagMap(tags, extraTags))) {
    const labelKey = labelKeyFor(key);
    if (labelKey) labels[labelKey] = encodeLabelValue(value);
  }
  return labels;
}

/** Labels read back as tags (values decoded) and the Skyport ownership they carry. */
export function tagsFromLabels(labels: Record<string, string> | null | undefined): {
  tags: Record<string, string>;
  skyport: SkyportTags | null;
} {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels ?? {})) tags[key] = decodeLabelValue(value);
  return { tags, skyport: parseSkyportTags(tags) };
}
