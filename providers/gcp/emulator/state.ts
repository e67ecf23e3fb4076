// In-memory GCE state with time-driven transitions. Nothing runs on timers: every read first
// applies the scheduled steps whose time has come, so state survives a save/load unchanged.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';

export type InstanceStatus = 'PROVISIONING' | 'STAGING' | 'RUNNING' | 'STOPPING' | 'TERMINATED';

/** One scheduled change to an instance (status change, machine-type change, removal). */
export interface InstanceStep {
  at: number;
  status?: InstanceStatus;
  machineType?: string;
  remove?: true;
}

export interface InstanceRecord {
  id: string;
  name: string;
  zone: string;
  description?: string;
  machineType: string;
  labels: Record<string, string>;
  status: InstanceStatus;
  sourceImage?: string;
  networkIP: string;
  natIP?: string;
  createdAt: number;
  lastStartAt?: number;
  lastStopAt?: number;
  /** Set while a delete is in progress: status STOPPING, then the instance disappears. */
  deleting?: true;
  steps: InstanceStep[];
}

export interface OperationErrorEntry {
  code: string;
  message: string;
  errorDetails?: unknown[];
}

export interface OperationRecord {
  id: string;
  name: string;
  zone: string;
  operationType: string;
  targetName: string;
  targetId: string;
  user: string;
  insertedAt: number;
  runningAt: number;
  doneAt: number;
  error?: OperationErrorEntry[];
  httpErrorStatusCode?: number;
  httpErrorMessage?: string;
}

export interface ServiceAccountRecord {
  email: string;
  project: string;
  clientId: string;
  keyId: string;
  publicKeyPem: string;
}

export interface SandboxKeyRecord {
  email: string;
  project: string;
  clientId: string;
  keyId: string;
  privateKeyPem: string;
}

export interface EmulatorState {
  version: 1;
  /** HMAC secret for access tokens, so tokens stay valid across a restart from `statePath`. */
  tokenSecret: string;
  nextId: number;
  /** `${project}/${zone}/${name}` → instance. */
  instances: Record<string, InstanceRecord>;
  /** `${project}/${zone}/${name}` → operation. */
  operations: Record<string, OperationRecord>;
  /** `${project}/${requestId}` → where the first Operation for it lives and when it was made. */
  requestIds: Record<string, { operationKey: string; at: number }>;
  serviceAccounts: ServiceAccountRecord[];
  sandboxKey: SandboxKeyRecord;
}

export function instanceKey(project: string, zone: string, name: string): string {
  return `${project}/${zone}/${name}`;
}

/** Apply every step that is due; returns false when the instance is gone. */
export function advanceInstance(instance: InstanceRecord, now: number): boolean {
  while (instance.steps.length > 0 && instance.steps[0]!.at <= now) {
    const step = instance.steps.shift()!;
    if (step.remove) return false;
    if (step.machineType) instance.machineType = step.machineType;
    if (step.status) {
      if (step.status === 'RUNNING' && instance.status !== 'RUNNING') instance.lastStartAt = step.at;
      if (step.status === 'TERMINATED' && instance.status !== 'TERMINATED') instance.lastStopAt = step.at;
      instance.status = step.status;
    }
  }
  return true;
}

export function operationStatus(operation: OperationRecord, now: number): 'PENDING' | 'RUNNING' | 'DONE' {
  if (now >= operation.doneAt) return 'DONE';
  return now >= operation.runningAt ? 'RUNNING' : 'PENDING';
}

export function loadState(path: string): EmulatorState | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && (parsed as { version?: unknown }).version === 1) {
      return parsed as EmulatorState;
    }
  } catch {
    // Missing or unreadable: start fresh, the file is rewritten on the next change.
  }
  return undefined;
}

export function saveState(path: string, state: EmulatorState): void {
  const temp = `${path}.tmp`;
  writeFileSync(temp, JSON.stringify(state));
  renameSync(temp, path);
}
