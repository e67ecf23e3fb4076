// Pure mappings between EC2 and Skyport: instance states, client tokens, tag lists.
import { createHash } from 'node:crypto';
import type { VmState } from '../types';

/** EC2 instance state names (waiters-2.json polls for these). */
export const EC2_STATE_TO_VM_STATE: Record<string, VmState> = {
  pending: 'pending',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  'shutting-down': 'deleting',
  terminated: 'deleted',
};

export function vmStateOf(ec2State: string | undefined): VmState {
  return (ec2State && EC2_STATE_TO_VM_STATE[ec2State]) || 'unknown';
}

/** States in which an instance still exists; `terminated` ones linger in listings for about an hour. */
export const EXISTING_EC2_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];

/**
 * EC2 ClientToken: up to 64 ASCII characters. Keys that fit are used verbatim (so the token is
 * recognisable in the console); longer ones are hashed, deterministically, so retries match.
 */
export function clientTokenFor(idempotencyKey: string): string {
  if (idempotencyKey.length > 0 && idempotencyKey.length <= 64 && /^[\x21-\x7e]+$/.test(idempotencyKey)) return idempotencyKey;
  return `skh-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 60)}`;
}

/** EC2 reserves the `aws:` prefix; user tags using it would make RunInstances fail. */
export function ec2TagList(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags)
    .filter(([key]) => !key.toLowerCase().startsWith('aws:'))
    .map(([Key, Value]) => ({ Key, Value }));
}

export function tagMapOf(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) map[tag.Key] = tag.Value ?? '';
  return map;
}
