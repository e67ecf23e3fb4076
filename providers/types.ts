// The one interface every cloud adapter implements.
//
// Shape: Crossplane's external client (observe / create / update / delete against one external
// resource, each step idempotent so it can be retried after a crash) with Apache Libcloud's
// NodeDriver surface (list sizes/images/locations, create/start/stop/reboot/destroy, normalized
// state). Nothing outside `providers/` may know which provider it is talking to; `lib/` only sees
// these types.

/** Provider kinds Skyport can broker. Only `providers/registry.ts` maps a kind to code. */
export const PROVIDER_KINDS = ['vsphere', 'aws', 'azure', 'gcp'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/**
 * The one list of provider display names for the UI (filters, tables, badges). Billing data keeps
 * its own FOCUS ProviderName values; those are data, not labels.
 */
export const PROVIDER_LABELS: Readonly<Record<ProviderKind, string>> = {
  vsphere: 'VMware vSphere',
  aws: 'AWS',
  azure: 'Azure',
  gcp: 'Google Cloud',
};

/**
 * Normalized VM life-cycle state (Libcloud's NodeState, trimmed to what brokering needs).
 * `deallocated` is kept apart from `stopped` because stopped-but-allocated VMs still bill compute
 * on some clouds (Azure), which the cost view must show.
 */
export const VM_STATES = [
  'pending',
  'running',
  'stopping',
  'stopped',
  'deallocated',
  'rebooting',
  'reconfiguring',
  'deleting',
  'deleted',
  'error',
  'unknown',
] as const;
export type VmState = (typeof VM_STATES)[number];

/** Day-2 actions an adapter can perform; the UI only offers what the adapter declares. */
export const DAY2_ACTIONS = ['start', 'stop', 'deallocate', 'reboot', 'resize', 'delete'] as const;
export type Day2Action = (typeof DAY2_ACTIONS)[number];

export interface ProviderCapabilities {
  actions: readonly Day2Action[];
  /** Resize needs the VM stopped first (AWS, GCP, vSphere without hot-add) or works live (Azure). */
  resizeRequiresStop: boolean;
  /** What the idempotency key is bound to on the provider side, for the docs and the UI. */
  idempotency: string;
}

/** A region (AWS/Azure/GCP region, vSphere datacenter). `zones` lists placement zones if any. */
export interface ProviderRegion {
  id: string;
  name: string;
  zones?: string[];
}

export interface ProviderSize {
  id: string;
  name: string;
  vcpus: number;
  memoryMiB: number;
}

export interface ProviderImage {
  id: string;
  name: string;
  os?: string;
}

/**
 * Ownership tags Skyport puts on every VM it creates. Adapters write them with the provider's own
 * mechanism (EC2 tags, ARM tags, GCE labels, vSphere custom attributes) under the keys in
 * `SKYPORT_TAG_KEYS`, transformed only where the provider forbids the characters.
 */
export interface SkyportTags {
  owner: string;
  project: string;
  request: string;
  skyportId: string;
}

export const SKYPORT_TAG_KEYS = {
  owner: 'skyport-owner',
  project: 'skyport-project',
  request: 'skyport-request',
  skyportId: 'skyport-id',
} as const satisfies Record<keyof SkyportTags, string>;

/**
 * One more tag on the VMs Skyport makes: the name Skyport gave it. Where a provider's own name is
 * derived from the idempotency key (so a repeated create finds the same resource), inventory shows
 * this name instead (`displayNameOf`); the provider's name stays in `providerId`.
 */
export const SKYPORT_NAME_TAG = 'skyport-name';

/** The name to show for a VM: the one Skyport gave it, else the provider's own. */
export function displayNameOf(vm: { name: string; tags: Record<string, string> }): string {
  return vm.tags[SKYPORT_NAME_TAG]?.trim() || vm.name;
}

export interface CreateVmSpec {
  /**
   * Stable key for this one VM (one request item). Bound to the provider's own idempotency
   * mechanism (EC2 ClientToken, GCE requestId, Azure resource name, vSphere VM name + custom
   * attribute), so repeating `create` after a crash never makes a second VM.
   */
  idempotencyKey: string;
  /** Human-facing name; adapters may derive the provider name from the key when names must be unique. */
  name: string;
  /** Region id as returned by `listRegions` (vSphere: datacenter). */
  region: string;
  /** Optional zone inside the region (AWS AZ, GCE zone). Adapters pick one when absent. */
  zone?: string;
  /** Size id as returned by `listSizes`. */
  size: string;
  /** Image id as returned by `listImages` (vSphere: template name or path). */
  image: string;
  tags: SkyportTags;
  /** Extra user tags; never allowed to override the Skyport ones. */
  extraTags?: Record<string, string>;
}

/** Where an existing VM lives. `providerId` is what `ObservedVm.providerId` returned. */
export interface VmRef {
  providerId: string;
  region: string;
  zone?: string;
}

export interface ObservedVm {
  providerId: string;
  name: string;
  region: string;
  zone?: string;
  size: string;
  vcpus?: number;
  memoryMiB?: number;
  imageId?: string;
  state: VmState;
  /** The provider's own state string, kept for display and debugging. */
  providerState: string;
  tags: Record<string, string>;
  /** Parsed back from `tags`; null when the VM was not made by Skyport. */
  skyport: SkyportTags | null;
  privateIp?: string;
  publicIp?: string;
  createdAt?: Date;
}

export interface ListVmsPage {
  vms: ObservedVm[];
  nextPageToken?: string;
}

export interface ListVmsOptions {
  pageToken?: string;
  /** A hint; providers cap it to their own maximum. */
  pageSize?: number;
}

export interface ConnectionTestResult {
  /** What the cheap call proved, e.g. "authenticated as arn:…; 17 regions visible". */
  detail: string;
}

/**
 * The adapter contract. Every method is safe to retry: `create` with the same key returns the
 * same VM, power actions on a VM already in the target state succeed, and `delete` of a VM that
 * is gone succeeds. Failures throw `ProviderError` (see ./errors.ts), never a raw SDK error.
 */
export interface ProviderAdapter {
  readonly kind: ProviderKind;
  capabilities(): ProviderCapabilities;

  /** A cheap authenticated call that proves endpoint and credentials work. */
  testConnection(): Promise<ConnectionTestResult>;

  /** All regions the account can use (not only the enabled ones). */
  listRegions(): Promise<ProviderRegion[]>;
  listSizes(region: string): Promise<ProviderSize[]>;
  listImages(region: string): Promise<ProviderImage[]>;

  /** Crossplane `Observe`: find the VM bound to this key, or null if it does not exist (yet). */
  observe(idempotencyKey: string, region: string): Promise<ObservedVm | null>;
  /** Crossplane `Create`. Idempotent on `spec.idempotencyKey`. */
  create(spec: CreateVmSpec): Promise<ObservedVm>;
  /** Read one VM by provider id; null if it does not exist. */
  get(ref: VmRef): Promise<ObservedVm | null>;

  start(ref: VmRef): Promise<void>;
  /** `deallocate: true` releases compute where the provider distinguishes it (Azure). */
  stop(ref: VmRef, options?: { deallocate?: boolean }): Promise<void>;
  reboot(ref: VmRef): Promise<void>;
  /** Crossplane `Update` for the one mutable spec field Skyport manages: the size. */
  resize(ref: VmRef, size: string): Promise<void>;
  /** Crossplane `Delete`. Succeeds when the VM is already gone. */
  delete(ref: VmRef): Promise<void>;

  /** One page of VMs in one region (also VMs not made by Skyport). */
  listVms(region: string, options?: ListVmsOptions): Promise<ListVmsPage>;

  /**
   * Merge-write tags onto an existing VM with the provider's own mechanism (EC2 CreateTags, ARM
   * tags on the VM, GCE setLabels with the label fingerprint, vSphere custom attributes via
   * CustomFieldsManager.SetField). Keys not named keep their values; keys and values are
   * transformed only where the provider forbids characters (GCE labels), exactly as `create` does,
   * so `parseSkyportTags` reads Skyport's keys (SKYPORT_TAG_KEYS) back. Used by inventory's claim
   * and "re-apply tags". Throws `not_found` when the VM does not exist.
   */
  setTags(ref: VmRef, tags: Record<string, string>): Promise<void>;

  /**
   * Crossplane's Disconnecter: release what the adapter holds (log out the vCenter session, close
   * HTTP agents and SDK clients). Idempotent; callers `await adapter.close()` in a `finally`.
   * The adapter must not be used afterwards.
   */
  close(): Promise<void>;
}

/**
 * Limits every adapter applies to every call so a bad endpoint gives an error, never a hang.
 * Defaults live in `providers/shared/runtime.ts`.
 */
export interface AdapterRuntimeOptions {
  /** Per HTTP attempt (connect + TLS + response). Default 15 s; never more than `callTimeoutMs`. */
  requestTimeoutMs?: number;
  /**
   * One overall deadline per provider call: connect, TLS handshake, response, every retry and
   * back-off together. Long-running operations are bounded by `operationTimeoutMs` instead, but
   * each poll inside them by this. Default 60 s.
   */
  callTimeoutMs?: number;
  /** Retries of retryable failures (throttling, 5xx, timeouts) before giving up. Default 4. */
  maxRetries?: number;
  /** Polling interval for long-running operations / tasks. Default 1 s; tests set it low. */
  pollIntervalMs?: number;
  /** Overall deadline for waiting on one long-running operation. Default 10 min. */
  operationTimeoutMs?: number;
}
