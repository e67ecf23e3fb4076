// The idempotency key is bound to the VM name: vCenter refuses a second VM with the same name in
// one folder (DuplicateName), which is exactly the "at most one VM per key" guarantee we need.
import { createHash } from 'node:crypto';

const NAME_PREFIX = 'sky-';
/** vCenter allows 80 characters; stay well below so folders and clones never truncate. */
const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,58}$/;

/**
 * Deterministic VM name for a key: the key itself when it is short and plain (so an operator can
 * read it in the vSphere client), otherwise a SHA-256 prefix of it.
 */
export function vmNameForKey(idempotencyKey: string): string {
  if (SAFE_KEY.test(idempotencyKey)) return `${NAME_PREFIX}${idempotencyKey}`;
  return `${NAME_PREFIX}h-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}`;
}

/** Annotation ("Notes") written on clone, so the key is visible on the VM itself. */
export function annotationFor(idempotencyKey: string, displayName: string): string {
  return `Managed by Skyport.\nName: ${displayName}\nIdempotency key: ${idempotencyKey}`;
}
