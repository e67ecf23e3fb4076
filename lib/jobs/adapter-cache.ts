// The worker's provider adapters, one per account, reused across jobs. Building an adapter is the
// most expensive step of a short job: secrets are decrypted, SDK clients built (GCP's compile
// their protobuf descriptors, ~200 ms CPU per adapter), and the first calls log in or fetch a
// token (vSphere Login, cloud OAuth tokens). SDK clients and the vSphere session are safe for
// concurrent calls, so jobs of one account share one adapter.
//
// Crossplane's Disconnecter still runs for every adapter built here: close() when the worker
// stops (closeAll, from lib/jobs/worker.ts), when the adapter has sat unused for idleMs, when the
// account row changed (settings or secrets edited: a new adapter is built for the next job), and
// after a call failed with auth_failed (credentials may have been rotated at the provider).
import { isProviderError } from '@/providers/errors';
import type { AdapterRuntimeOptions, ProviderAdapter } from '@/providers/types';
import type { ProviderAccount } from '@/generated/prisma/client';
import { adapterForAccount } from '../provider-accounts/service';

type BuildAdapter = (account: ProviderAccount, runtime?: AdapterRuntimeOptions) => ProviderAdapter;

interface Entry {
  /** Settles once the account was loaded and its adapter built (jobs arriving meanwhile share it). */
  adapter: Promise<ProviderAdapter>;
  /** account.updatedAt when built: a later edit of the account retires this adapter. */
  version: number;
  users: number;
  lastUsedAt: number;
  retired: boolean;
  closed?: Promise<void>;
}

export interface AdapterLease {
  adapter: Promise<ProviderAdapter>;
  /** Report a failed call: after auth_failed the adapter is not lent again (credentials may have changed). */
  failed(error: unknown): void;
  release(): void;
}

export interface AdapterCacheOptions {
  /** Close an adapter nobody used for this long (default 5 min). */
  idleMs?: number;
  /** Tests inject a builder; the default decrypts the account and builds its adapter. */
  build?: BuildAdapter;
}

const defaultBuild: BuildAdapter = (account, runtime) => adapterForAccount(account, runtime).adapter;

export class AdapterCache {
  private readonly entries = new Map<string, Entry>();
  /** Retired adapters still in use by a job: closed when their last user lets go. */
  private readonly retiring = new Set<Entry>();
  private readonly idleMs: number;
  private readonly build: BuildAdapter;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(options: AdapterCacheOptions = {}) {
    this.idleMs = options.idleMs ?? 5 * 60_000;
    this.build = options.build ?? defaultBuild;
  }

  /** Runs `use` with the account's shared adapter (built on first use). */
  use<T>(account: ProviderAccount, runtime: AdapterRuntimeOptions | undefined, use: (adapter: ProviderAdapter) => Promise<T>): Promise<T> {
    return this.useAccount(account, async () => account, runtime, use);
  }

  /**
   * Like `use`, for a caller that knows the account's id and updatedAt but has not loaded the row:
   * `load` runs only when the adapter has to be (re)built.
   */
  async useAccount<T>(
    ref: Pick<ProviderAccount, 'id' | 'updatedAt'>,
    load: () => Promise<ProviderAccount>,
    runtime: AdapterRuntimeOptions | undefined,
    use: (adapter: ProviderAdapter) => Promise<T>,
  ): Promise<T> {
    const lease = this.lease(ref, load, runtime);
    try {
      return await use(await lease.adapter);
    } catch (error) {
      lease.failed(error);
      throw error;
    } finally {
      lease.release();
    }
  }

  /**
   * The adapter for a stretch of work that is not one callback (a job that starts a read while its
   * claim commits). The caller must `release()` exactly once, in a finally.
   */
  lease(ref: Pick<ProviderAccount, 'id' | 'updatedAt'>, load: () => Promise<ProviderAccount>, runtime: AdapterRuntimeOptions | undefined): AdapterLease {
    const key = this.keyOf(ref.id, runtime);
    return this.leaseOf(key, this.acquire(key, ref.updatedAt.getTime(), load, runtime));
  }

  /**
   * The account's adapter if one is already built or being built, of whatever version, without
   * reading the account: for a read started before the caller knows the account's current version
   * (the caller compares `version` with it later and drops the lease when they differ). Null when
   * there is none.
   */
  leaseCached(accountId: string, runtime: AdapterRuntimeOptions | undefined): (AdapterLease & { version: number }) | null {
    const key = this.keyOf(accountId, runtime);
    const entry = this.entries.get(key);
    if (!entry) return null;
    entry.users++;
    return { ...this.leaseOf(key, entry), version: entry.version };
  }

  private leaseOf(key: string, entry: Entry): AdapterLease {
    let released = false;
    return {
      adapter: entry.adapter,
      failed: (error) => {
        if (isProviderError(error) && error.code === 'auth_failed') this.retire(key, entry);
      },
      release: () => {
        if (released) return;
        released = true;
        entry.users--;
        entry.lastUsedAt = Date.now();
        if (entry.retired && entry.users === 0) void this.close(entry);
      },
    };
  }

  /** Adapters currently held (open and reusable). */
  get size(): number {
    return this.entries.size;
  }

  /** Closes every adapter (worker shutdown). Jobs have finished or were aborted by then. */
  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    const all = [...this.entries.values(), ...this.retiring];
    this.entries.clear();
    this.retiring.clear();
    await Promise.all(all.map((entry) => this.close(entry)));
  }

  private keyOf(accountId: string, runtime: AdapterRuntimeOptions | undefined): string {
    return `${accountId}:${JSON.stringify(runtime ?? null)}`;
  }

  private acquire(key: string, version: number, load: () => Promise<ProviderAccount>, runtime: AdapterRuntimeOptions | undefined): Entry {
    let entry = this.entries.get(key);
    if (entry && entry.version !== version) {
      this.retire(key, entry);
      entry = undefined;
    }
    if (!entry) {
      const built: Entry = { adapter: load().then((account) => this.build(account, runtime)), version, users: 0, lastUsedAt: Date.now(), retired: false };
      // A failed build is not cached: the next job tries again.
      built.adapter.catch(() => this.entries.get(key) === built && this.entries.delete(key));
      this.entries.set(key, built);
      this.startSweeper();
      entry = built;
    }
    entry.users++;
    return entry;
  }

  private retire(key: string, entry: Entry): void {
    if (entry.retired) return;
    entry.retired = true;
    if (this.entries.get(key) === entry) this.entries.delete(key);
    if (entry.users === 0) void this.close(entry);
    else this.retiring.add(entry);
  }

  private close(entry: Entry): Promise<void> {
    entry.retired = true;
    this.retiring.delete(entry);
    // close() must never fail the caller: an unreachable provider expires the session itself.
    entry.closed ??= entry.adapter.then((adapter) => adapter.close()).catch(() => undefined);
    return entry.closed;
  }

  private startSweeper(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [key, entry] of this.entries) {
        if (entry.users === 0 && now - entry.lastUsedAt >= this.idleMs) this.retire(key, entry);
      }
      if (this.entries.size === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, Math.max(50, Math.min(60_000, this.idleMs / 2)));
    this.sweeper.unref();
  }
}

/** The process's cache, used by job tasks and closed by the worker on shutdown. */
export const jobAdapters = new AdapterCache();
