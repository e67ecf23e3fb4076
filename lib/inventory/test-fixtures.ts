// Shared by the inventory tests: users, projects and sandbox accounts on real emulators.
import '@/providers/all';
import { randomBytes } from 'node:crypto';
import type { Principal } from '../auth/principal';
import type { Db } from '../db/client';
import { upsertSandboxAccount } from '../provider-accounts/sandbox';
import { adapterForAccount } from '../provider-accounts/service';
import type { RunningEmulator } from '@/providers/contract/emulator';
import { sandboxModule } from '@/providers/sandbox';
import type { ProviderAdapter, ProviderKind } from '@/providers/types';

process.env.SKYPORT_SECRET_KEY ??= randomBytes(32).toString('base64');

export const FAST_RUNTIME = { requestTimeoutMs: 5_000, maxRetries: 4, pollIntervalMs: 20, operationTimeoutMs: 20_000 };

export async function makeUser(db: Db, email: string, roles: ('requester' | 'approver' | 'admin')[] = ['requester']) {
  return db.user.create({ data: { email, name: email.split('@')[0]!, roles } });
}

export async function makeProject(db: Db, key: string, ownerId: string) {
  const project = await db.project.create({ data: { key, name: `Project ${key}`, costCentre: 'CC-1', ownerId } });
  await db.projectMembership.create({ data: { projectId: project.id, userId: ownerId, role: 'owner' } });
  return project;
}

export function principalOf(user: { id: string; email: string; name: string; roles: Principal['roles'] }, projects: Principal['projects'] = {}): Principal {
  return { via: 'session', userId: user.id, email: user.email, name: user.name, roles: user.roles, projects };
}

export interface SandboxAccount {
  kind: ProviderKind;
  accountId: string;
  emulator: RunningEmulator;
  regions: string[];
  /** A fresh adapter on the account (caller closes it). */
  adapter(): Promise<ProviderAdapter>;
}

/** A provider's emulator plus a sandbox account for it, with its first `regionCount` regions enabled. */
export async function startSandboxAccount(db: Db, kind: ProviderKind, regionCount = 1): Promise<SandboxAccount> {
  const module = sandboxModule(kind);
  const emulator = await module.startEmulator({ transitionMs: 20, recordRequests: true });
  const sandbox = module.sandboxAccount(emulator);
  const regions = sandbox.regions.slice(0, regionCount);
  const accountId = await upsertSandboxAccount(db, module, { ...sandbox, regions });
  return {
    kind,
    accountId,
    emulator,
    regions,
    async adapter() {
      const account = await db.providerAccount.findUniqueOrThrow({ where: { id: accountId } });
      return adapterForAccount(account, FAST_RUNTIME).adapter;
    },
  };
}

/** Poll to a deadline (no fixed sleeps). */
export async function until<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
