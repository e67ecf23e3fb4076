// Azure reports a VM's condition as two status codes in its instance view: `ProvisioningState/*`
// (the last ARM operation) and `PowerState/*` (the guest). Skyport's state combines both.
import type { VmState } from '../types';

export interface InstanceStatus {
  code?: string;
}

export interface AzureVmCondition {
  provisioningState?: string;
  /** e.g. "running", "deallocated" (the part after `PowerState/`). */
  powerState?: string;
}

export function conditionFrom(provisioningState: string | undefined, statuses: InstanceStatus[] | undefined): AzureVmCondition {
  const power = statuses?.find((s) => s.code?.startsWith('PowerState/'))?.code?.slice('PowerState/'.length);
  const provisioningFromView = statuses?.find((s) => s.code?.startsWith('ProvisioningState/'))?.code?.slice('ProvisioningState/'.length);
  return { provisioningState: provisioningState ?? provisioningFromView, powerState: power };
}

const POWER_STATES: Record<string, VmState> = {
  starting: 'pending',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  deallocating: 'stopping',
  deallocated: 'deallocated',
  unknown: 'unknown',
};

export function vmStateFrom(condition: AzureVmCondition): VmState {
  const provisioning = condition.provisioningState?.toLowerCase();
  const power = condition.powerState?.toLowerCase();
  if (provisioning === 'deleting') return 'deleting';
  if (provisioning === 'failed') return 'error';
  if (provisioning === 'creating') return 'pending';
  if (power && POWER_STATES[power]) {
    const state = POWER_STATES[power]!;
    // A live resize shows as "Updating" while the guest keeps running.
    if (provisioning === 'updating' && state === 'running') return 'reconfiguring';
    return state;
  }
  if (provisioning === 'updating') return 'reconfiguring';
  return 'unknown';
}

/** The display form kept in `ObservedVm.providerState`, e.g. "Succeeded/PowerState/running". */
export function providerStateText(condition: AzureVmCondition): string {
  const parts = [condition.provisioningState ?? 'Unknown'];
  if (condition.powerState) parts.push(`PowerState/${condition.powerState}`);
  return parts.join('/');
}
