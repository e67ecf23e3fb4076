// In-memory ARM state: virtual machines, network interfaces and the asynchronous operations that
// move them between states. Transitions are applied lazily (`settle`) whenever the emulator is
// asked anything, so no timers run per VM.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import type { EmulatorClock } from '../../contract/clock';

export type ProvisioningState = 'Creating' | 'Updating' | 'Succeeded' | 'Failed' | 'Deleting';
export type PowerState = 'starting' | 'running' | 'stopping' | 'stopped' | 'deallocating' | 'deallocated';

export interface ImageReference {
  publisher: string;
  offer: string;
  sku: string;
  version: string;
}

export interface NicReference {
  id: string;
  primary: boolean;
  deleteOption: 'Delete' | 'Detach';
}

export interface VmRecord {
  seq: number;
  resourceGroup: string;
  name: string;
  location: string;
  vmId: string;
  tags: Record<string, string>;
  vmSize: string;
  imageReference: ImageReference;
  osType: 'Linux' | 'Windows';
  computerName: string;
  adminUsername: string;
  osDiskName: string;
  osDiskDeleteOption: 'Delete' | 'Detach';
  storageAccountType: string;
  nics: NicReference[];
  zones?: string[];
  provisioningState: ProvisioningState;
  powerState: PowerState;
  timeCreated: string;
}

export interface NicRecord {
  resourceGroup: string;
  name: string;
  location: string;
  subnetId: string;
  privateIPAddress: string;
  macAddress: string;
  tags: Record<string, string>;
  /** ARM id of the VM the NIC is attached to. */
  virtualMachineId?: string;
}

/** What happens to a VM when its operation completes. */
export type VmTransition =
  | { kind: 'settle'; provisioningState: ProvisioningState; powerState: PowerState }
  | { kind: 'remove' };

export interface AsyncOperation {
  id: string;
  /** Resource provider namespace that owns the operation status URL. */
  namespace: 'Microsoft.Compute' | 'Microsoft.Network';
  location: string;
  startTime: string;
  endTime?: string;
  completeAt: number;
  status: 'InProgress' | 'Succeeded';
  vmKey?: string;
  transition?: VmTransition;
}

interface PersistedState {
  seq: number;
  ipCounter: number;
  vms: VmRecord[];
  nics: NicRecord[];
}

export function resourceKey(resourceGroup: string, name: string): string {
  return `${resourceGroup.toLowerCase()}/${name.toLowerCase()}`;
}

export class ArmState {
  readonly vms = new Map<string, VmRecord>();
  readonly nics = new Map<string, NicRecord>();
  readonly operations = new Map<string, AsyncOperation>();
  private pendingOperations: AsyncOperation[] = [];
  private seq = 0;
  private ipCounter = 4;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly statePath: string | undefined,
    /** The clock operations complete on (tests hold it instead of racing timers). */
    readonly clock: EmulatorClock,
  ) {
    if (statePath) this.load(statePath);
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /** Azure reserves .0–.3 in every subnet, so dynamic addresses start at .4. */
  nextPrivateIp(): string {
    const n = this.ipCounter++;
    return `10.0.${Math.floor(n / 250)}.${(n % 250) + 4}`;
  }

  startOperation(
    namespace: AsyncOperation['namespace'],
    location: string,
    durationMs: number,
    vmKey?: string,
    transition?: VmTransition,
  ): AsyncOperation {
    const now = this.clock.now();
    const op: AsyncOperation = {
      id: randomUUID(),
      namespace,
      location,
      startTime: new Date(now).toISOString(),
      completeAt: now + durationMs,
      status: 'InProgress',
      vmKey,
      transition,
    };
    this.operations.set(op.id, op);
    this.pendingOperations.push(op);
    if (durationMs <= 0) this.settle(now);
    return op;
  }

  /** A new operation on a VM supersedes one still running on it: finish that one first. */
  finishPendingFor(vmKey: string): void {
    const now = this.clock.now();
    let found = false;
    for (const pending of this.pendingOperations) {
      if (pending.vmKey === vmKey) {
        pending.completeAt = Math.min(pending.completeAt, now);
        found = true;
      }
    }
    if (found) this.settle(now);
  }

  /** Apply every operation whose time has come. */
  settle(now = this.clock.now()): void {
    if (this.pendingOperations.length === 0) return;
    const still: AsyncOperation[] = [];
    let changed = false;
    for (const op of this.pendingOperations) {
      if (op.completeAt > now) {
        still.push(op);
        continue;
      }
      op.status = 'Succeeded';
      op.endTime = new Date(Math.max(op.completeAt, Date.parse(op.startTime))).toISOString();
      if (op.vmKey && op.transition) this.applyTransition(op.vmKey, op.transition);
      changed = true;
    }
    this.pendingOperations = still;
    if (changed) this.scheduleSave();
    this.pruneOperations(now);
  }

  private applyTransition(vmKey: string, transition: VmTransition): void {
    const vm = this.vms.get(vmKey);
    if (!vm) return;
    if (transition.kind === 'remove') {
      this.vms.delete(vmKey);
      for (const ref of vm.nics) {
        const nicKey = nicKeyFromId(ref.id);
        const nic = nicKey ? this.nics.get(nicKey) : undefined;
        if (!nic || !nicKey) continue;
        if (ref.deleteOption === 'Delete') this.nics.delete(nicKey);
        else nic.virtualMachineId = undefined;
      }
      return;
    }
    vm.provisioningState = transition.provisioningState;
    vm.powerState = transition.powerState;
  }

  private pruneOperations(now: number): void {
    if (this.operations.size < 5_000) return;
    for (const [id, op] of this.operations) {
      if (op.status === 'Succeeded' && now - op.completeAt > 10 * 60_000) this.operations.delete(id);
    }
  }

  vmCount(): number {
    this.settle();
    return this.vms.size;
  }

  scheduleSave(): void {
    if (!this.statePath || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.saveNow();
    }, 200);
    this.saveTimer.unref();
  }

  saveNow(): void {
    if (!this.statePath) return;
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    const data: PersistedState = {
      seq: this.seq,
      ipCounter: this.ipCounter,
      vms: [...this.vms.values()],
      nics: [...this.nics.values()],
    };
    const tmp = `${this.statePath}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, this.statePath);
  }

  private load(statePath: string): void {
    let data: PersistedState;
    try {
      data = JSON.parse(readFileSync(statePath, 'utf8')) as PersistedState;
    } catch {
      return; // first start: nothing saved yet
    }
    this.seq = data.seq;
    this.ipCounter = data.ipCounter;
    for (const nic of data.nics) this.nics.set(resourceKey(nic.resourceGroup, nic.name), nic);
    for (const vm of data.vms) {
      // Operations do not survive a restart; land every VM in the state its operation was heading to.
      if (vm.provisioningState === 'Deleting') continue;
      vm.provisioningState = vm.provisioningState === 'Failed' ? 'Failed' : 'Succeeded';
      if (vm.powerState === 'starting') vm.powerState = 'running';
      if (vm.powerState === 'stopping') vm.powerState = 'stopped';
      if (vm.powerState === 'deallocating') vm.powerState = 'deallocated';
      this.vms.set(resourceKey(vm.resourceGroup, vm.name), vm);
    }
  }
}

export function nicKeyFromId(id: string): string | undefined {
  const match = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/networkInterfaces\/([^/?]+)$/i.exec(id);
  if (!match) return undefined;
  return resourceKey(match[1]!, match[2]!);
}
