// What every local provider emulator exposes to tests, benchmarks and the embedded demo.
import type { ProviderKind } from '../types';
import type { TransitionClock } from './clock';

/** A fault the emulator injects into the next `times` requests whose operation matches. */
export interface FaultSpec {
  kind: 'throttle' | 'server_error' | 'timeout' | 'quota' | 'auth';
  /** Provider operation name (EC2 Action, ARM operation, GCE method, SOAP method); all when absent. */
  operation?: string;
  /** How many matching requests fail before the fault clears. Default 1. */
  times?: number;
}

/** One request as the emulator saw it on the wire, for wire assertions in tests. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** Provider operation name, as in FaultSpec.operation. */
  operation: string;
  headers: Record<string, string>;
  /** Raw body text (form-encoded, JSON or SOAP XML). */
  body: string;
  /** Query-string parameters (for EC2 the parsed form body is here too). */
  query: Record<string, string>;
}

export interface EmulatorSeedOptions {
  region: string;
  count: number;
  /** Seeded VMs carry no Skyport tags: they stand for VMs made outside Skyport. */
  namePrefix?: string;
  /** When the provider says the seeded VMs were made (default now): a sandbox's "legacy" VMs predate it. */
  createdAt?: Date;
}

export interface RunningEmulator {
  /** Base URL the adapter is pointed at (https for Azure, with `caCertPem`). */
  readonly url: string;
  /** PEM of the self-signed CA when the emulator serves TLS. */
  readonly caCertPem?: string;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** Add VMs directly to the emulator's state (fast; for paging tests and benchmarks). */
  seedVms(options: EmulatorSeedOptions): void;
  /** Number of VMs that exist (not deleted), across all regions. */
  vmCount(): number;
  requests(): RecordedRequest[];
  clearRequests(): void;
  /** Faults injected but not yet fired (tests assert 0 to prove an injected fault happened). */
  pendingFaults(): number;
  /**
   * Test hook: the clock of every asynchronous transition (pending → running, tasks, operations).
   * Hold it to keep a transitional state while the test acts; advance it for the next step.
   */
  readonly clock: TransitionClock;
  /**
   * The provider's compute quota as the real cloud enforces it (EC2 vCPU limit, Azure regional
   * cores, GCE regional CPUS, vCenter admission control): vCPUs of VMs holding compute, per
   * region. A create past it fails the way the provider fails it. `undefined` lifts the limit.
   */
  setVcpuLimit(limit: number | undefined): void;
  close(): Promise<void>;
}

export interface EmulatorStartOptions {
  /** 0 (default) picks a free port on 127.0.0.1. */
  port?: number;
  host?: string;
  /** How long a new VM stays `pending` before `running`, and similar transitions. Default 50 ms. */
  transitionMs?: number;
  /** Maximum page size the emulator serves, regardless of what the client asks. */
  maxPageSize?: number;
  /** Keep a log of requests (tests); off for benchmarks. Default true. */
  recordRequests?: boolean;
  /**
   * JSON file to load state from at start and save it to after changes (debounced), so the
   * embedded demo's sandbox VMs survive a restart. In memory only when absent.
   */
  statePath?: string;
}

/**
 * What each `providers/<kind>/emulator/index.ts` exports as `sandbox`: how to start the emulator
 * and the account settings pointing at it. Loaded only by `providers/sandbox.ts` (tests, the
 * benchmarks and the demo's sandbox when SKYPORT_SANDBOX is on), never by the production graph.
 */
export interface ProviderSandbox<Settings = unknown, Secrets = unknown> {
  kind: ProviderKind;
  startEmulator(options?: EmulatorStartOptions): Promise<RunningEmulator>;
  /** Settings + secrets + regions of a sandbox account pointed at a running emulator. */
  sandboxAccount(emulator: RunningEmulator): { settings: Settings; secrets: Secrets; regions: string[] };
}
