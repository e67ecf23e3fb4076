// Drift: a managed VM (made by Skyport or claimed) that no longer looks like what Skyport made or did.
// Pure rules, applied by the sync to every observed VM; the reasons are stored on the Vm row.
import type { JobKind, VmState } from '@/generated/prisma/enums';

export const DRIFT_REASONS = ['tags_removed', 'size_changed', 'state_changed'] as const;
export type DriftReason = (typeof DRIFT_REASONS)[number];

export const DRIFT_LABELS: Record<DriftReason, string> = {
  tags_removed: 'Skyport tags removed',
  size_changed: 'Size changed outside Skyport',
  state_changed: 'Power state differs from Skyport’s last action',
};

/** What the last successful Skyport power action leaves the VM in. */
const EXPECTED_STATE: Partial<Record<JobKind, VmState>> = {
  create_vm: 'running',
  start_vm: 'running',
  reboot_vm: 'running',
  stop_vm: 'stopped',
  deallocate_vm: 'stopped',
};

export const POWER_JOB_KINDS = Object.keys(EXPECTED_STATE) as JobKind[];

/** Stopped and deallocated both mean "not running" for drift: the provider decides which one it reports. */
function powerClass(state: VmState): 'on' | 'off' | null {
  if (state === 'running') return 'on';
  if (state === 'stopped' || state === 'deallocated') return 'off';
  return null; // transitional or unknown states are never drift
}

export interface DriftInput {
  /** The VM was managed before this observation (made by Skyport or claimed). */
  wasManaged: boolean;
  /** Skyport's tags are on the VM now. */
  hasSkyportTags: boolean;
  observedSize: string;
  observedState: VmState;
  expectedSize: string | null;
  /** Kind of the VM's last succeeded power job, if any. */
  lastPowerJob: JobKind | null;
  /** A Skyport job for this VM is queued or running: its state is in flux on purpose. */
  jobInFlight: boolean;
}

export function detectDrift(input: DriftInput): DriftReason[] {
  const managed = input.wasManaged || input.hasSkyportTags;
  if (!managed) return [];
  const reasons: DriftReason[] = [];
  if (input.wasManaged && !input.hasSkyportTags) reasons.push('tags_removed');
  if (!input.jobInFlight && input.expectedSize !== null && input.expectedSize !== input.observedSize) reasons.push('size_changed');
  const expected = input.lastPowerJob ? EXPECTED_STATE[input.lastPowerJob] : undefined;
  if (!input.jobInFlight && expected) {
    const observed = powerClass(input.observedState);
    if (observed !== null && observed !== powerClass(expected)) reasons.push('state_changed');
  }
  return reasons;
}
