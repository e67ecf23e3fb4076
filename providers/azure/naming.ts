// Deterministic Azure resource names derived from the idempotency key, so a repeated create PUTs
// the same resource name (ARM PUT is idempotent on the name).
import { createHash } from 'node:crypto';

/** VM names: 1–64 chars of [A-Za-z0-9._-], not ending in '.' or '-'. */
export const MAX_VM_NAME = 64;

function keyHash(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey, 'utf8').digest('hex');
}

/**
 * Readable part of the key (lower-case letters, digits, dashes) plus 10 hex chars of its hash, so
 * two keys that sanitize alike still get different names.
 */
export function vmNameForKey(idempotencyKey: string): string {
  const readable = idempotencyKey
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_VM_NAME - 11)
    .replace(/-+$/, '');
  const suffix = keyHash(idempotencyKey).slice(0, 10);
  return readable ? `${readable}-${suffix}` : `vm-${suffix}`;
}

export function nicNameForVm(vmName: string): string {
  return `${vmName}-nic`;
}

/** Guest host name: Windows allows 15 chars, not all digits. */
export function computerNameForKey(idempotencyKey: string): string {
  return `sp${keyHash(idempotencyKey).slice(0, 13)}`;
}

export interface ArmVmId {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export function parseVmId(id: string): ArmVmId | null {
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/i.exec(id);
  if (!match) return null;
  return { subscriptionId: match[1]!, resourceGroup: match[2]!, name: match[3]! };
}
