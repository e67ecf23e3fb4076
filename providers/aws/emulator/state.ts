// In-memory EC2 state: instances, reservations and client tokens. Transitions (pending → running,
// stopping → stopped, shutting-down → terminated) are applied lazily when an instance is read, so
// no timers run and a restored state file settles correctly. Terminated instances stay visible for
// `terminatedRetentionMs`, as EC2 keeps them in DescribeInstances for about an hour.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import type { EmulatorClock } from '../../contract/clock';
import { type InstanceStateName, zonesOf } from './catalog';

export interface InstanceRecord {
  instanceId: string;
  reservationId: string;
  region: string;
  zone: string;
  instanceType: string;
  imageId: string;
  state: InstanceStateName;
  /** Where the current transitional state settles, and when (epoch ms). */
  settlesTo?: { state: InstanceStateName; at: number };
  stateReason?: { code: string; message: string };
  transitionReason: string;
  launchTime: string;
  clientToken: string;
  tags: Record<string, string>;
  privateIp: string;
  publicIp?: string;
  subnetId: string;
  vpcId: string;
  /** Creation order; the paging cursor. */
  seq: number;
  terminatedAt?: number;
}

export interface ClientTokenRecord {
  region: string;
  token: string;
  /** Canonical form of the request parameters the token was first used with. */
  fingerprint: string;
  reservationId: string;
  instanceIds: string[];
}

interface PersistedState {
  seq: number;
  instances: InstanceRecord[];
  clientTokens: ClientTokenRecord[];
}

export function hexId(prefix: string, length = 17): string {
  return `${prefix}-${randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length)}`;
}

export class Ec2Store {
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly tokens = new Map<string, ClientTokenRecord>();
  private seq = 0;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: { transitionMs: number; terminatedRetentionMs: number; statePath?: string; clock: EmulatorClock },
  ) {
    if (options.statePath) this.load(options.statePath);
  }

  private load(path: string) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return; // first start: nothing saved yet
    }
    const saved = JSON.parse(text) as PersistedState;
    this.seq = saved.seq;
    for (const instance of saved.instances) this.instances.set(instance.instanceId, instance);
    for (const token of saved.clientTokens) this.tokens.set(tokenKey(token.region, token.token), token);
  }

  /** Debounced so a burst of calls writes once. */
  changed() {
    const path = this.options.statePath;
    if (!path || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.saveNow();
    }, 200);
    this.saveTimer.unref();
  }

  saveNow() {
    const path = this.options.statePath;
    if (!path) return;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const state: PersistedState = { seq: this.seq, instances: [...this.instances.values()], clientTokens: [...this.tokens.values()] };
    writeFileSync(`${path}.tmp`, JSON.stringify(state));
    renameSync(`${path}.tmp`, path);
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /** Apply a due transition; drop terminated instances past retention. Returns undefined if gone. */
  private settle(instance: InstanceRecord, now: number): InstanceRecord | undefined {
    if (instance.settlesTo && instance.settlesTo.at <= now) {
      instance.state = instance.settlesTo.state;
      instance.settlesTo = undefined;
      if (instance.state === 'terminated') instance.terminatedAt = now;
      if (instance.state === 'running') instance.stateReason = undefined;
    }
    if (instance.state === 'terminated' && instance.terminatedAt !== undefined && now - instance.terminatedAt > this.options.terminatedRetentionMs) {
      this.instances.delete(instance.instanceId);
      return undefined;
    }
    return instance;
  }

  get(instanceId: string, region: string): InstanceRecord | undefined {
    const instance = this.instances.get(instanceId);
    if (!instance || instance.region !== region) return undefined;
    return this.settle(instance, this.options.clock.now());
  }

  /** All visible instances of a region in creation order. */
  *inRegion(region: string): Generator<InstanceRecord> {
    const now = this.options.clock.now();
    for (const instance of this.instances.values()) {
      if (instance.region !== region) continue;
      const settled = this.settle(instance, now);
      if (settled) yield settled;
    }
  }

  add(instance: InstanceRecord) {
    this.instances.set(instance.instanceId, instance);
    this.changed();
  }

  /** Move to a transitional state that settles after `transitionMs`. */
  transition(instance: InstanceRecord, via: InstanceStateName, to: InstanceStateName) {
    instance.state = via;
    instance.settlesTo = { state: to, at: this.options.clock.now() + this.options.transitionMs };
    this.changed();
  }

  token(region: string, token: string): ClientTokenRecord | undefined {
    return this.tokens.get(tokenKey(region, token));
  }

  rememberToken(record: ClientTokenRecord) {
    this.tokens.set(tokenKey(record.region, record.token), record);
    this.changed();
  }

  /** Instances that exist (everything not terminated), across regions. */
  liveCount(): number {
    const now = this.options.clock.now();
    let count = 0;
    for (const instance of [...this.instances.values()]) {
      const settled = this.settle(instance, now);
      if (settled && settled.state !== 'terminated') count += 1;
    }
    return count;
  }

  liveVcpus(region: string, vcpusOf: (type: string) => number): number {
    let total = 0;
    for (const instance of this.inRegion(region)) {
      if (instance.state !== 'terminated' && instance.state !== 'stopped') total += vcpusOf(instance.instanceType);
    }
    return total;
  }

  seed(region: string, count: number, namePrefix: string, instanceType: string, imageId: string, createdAt = new Date()) {
    const zones = zonesOf(region);
    const launchTime = createdAt.toISOString();
    for (let i = 0; i < count; i++) {
      const seq = this.nextSeq();
      const instance: InstanceRecord = {
        instanceId: hexId('i'),
        reservationId: hexId('r'),
        region,
        zone: zones[i % zones.length]!,
        instanceType,
        imageId,
        state: 'running',
        transitionReason: '',
        launchTime,
        clientToken: '',
        tags: { Name: `${namePrefix}-${i + 1}` },
        privateIp: privateIpFor(seq),
        subnetId: `subnet-${region.replace(/[^a-z0-9]/g, '').slice(0, 8)}0a`,
        vpcId: `vpc-${region.replace(/[^a-z0-9]/g, '').slice(0, 8)}01`,
        seq,
      };
      this.instances.set(instance.instanceId, instance);
    }
    this.changed();
  }

  close() {
    if (this.saveTimer) this.saveNow();
  }
}

function tokenKey(region: string, token: string) {
  return `${region}\u0000${token}`;
}

export function privateIpFor(seq: number): string {
  return `10.0.${Math.floor(seq / 250) % 250}.${(seq % 250) + 4}`;
}
