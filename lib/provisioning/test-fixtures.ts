// Test fixtures for the engine: real emulators behind real provider accounts, and approved
// requests created directly in the database (the request form is another area's; the engine only
// needs the rows).
import { randomBytes } from 'node:crypto';
import type { RunningEmulator } from '@/providers/contract/emulator';
import { sandboxModule, type SandboxProviderModule } from '@/providers/sandbox';
import type { ProviderModule } from '@/providers/module';
import type { ProviderKind } from '@/providers/types';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';
import { adapterForAccount, type ProviderAccountView } from '../provider-accounts/service';
import { upsertSandboxAccount } from '../provider-accounts/sandbox';
import { onRequestApproved } from './handoff';
import { tasks as provisioningTasks } from './tasks';
import { tasks as vmTasks } from '../vms/tasks';

/** Only the engine's tasks: tests of other areas' jobs run those with their own fixtures. */
export const ENGINE_TASKS = { ...provisioningTasks, ...vmTasks };

process.env.SKYPORT_SECRET_KEY ??= randomBytes(32).toString('base64');

export const FAST_RUNTIME = { requestTimeoutMs: 3_000, maxRetries: 0, pollIntervalMs: 25, operationTimeoutMs: 20_000 };

export interface EmulatedAccount {
  kind: ProviderKind;
  module: SandboxProviderModule;
  emulator: RunningEmulator;
  accountId: string;
  region: string;
  size: string;
  /** An image *name* from listImages, so provisioning exercises name → id resolution. */
  image: string;
}

export async function startEmulatedAccount(db: Db, kind: ProviderKind, options: { transitionMs?: number; port?: number; recordRequests?: boolean } = {}): Promise<EmulatedAccount> {
  const module = sandboxModule(kind);
  const emulator = await module.startEmulator({ transitionMs: options.transitionMs ?? 30, recordRequests: options.recordRequests ?? false, port: options.port });
  return { kind, module, emulator, ...(await registerEmulatedAccount(db, module, module.sandboxAccount(emulator))) };
}

/** What a request item needs of an emulated account: the account row and a placement it offers. */
export type EmulatedPlacement = Pick<EmulatedAccount, 'accountId' | 'region' | 'size' | 'image'>;

/**
 * The sandbox account for an emulator that may run in another process (the provisioning
 * benchmark's emulator host): upserted from the settings the emulator's `sandboxAccount` gave,
 * then a size and an image name read through the adapter.
 */
export async function registerEmulatedAccount(db: Db, module: ProviderModule<unknown, unknown>, sandbox: { settings: unknown; secrets: unknown; regions: string[] }): Promise<EmulatedPlacement> {
  const accountId = await upsertSandboxAccount(db, module, sandbox);
  const account = await db.providerAccount.findUniqueOrThrow({ where: { id: accountId } });
  const { adapter } = adapterForAccount(account, FAST_RUNTIME);
  try {
    const region = sandbox.regions[0]!;
    const [sizes, images] = await Promise.all([adapter.listSizes(region), adapter.listImages(region)]);
    return { accountId, region, size: sizes[0]!.id, image: images[0]!.name };
  } finally {
    await adapter.close?.().catch(() => undefined);
  }
}

export interface Fixture {
  userId: string;
  email: string;
  projectId: string;
  projectKey: string;
  templateVersionId: string;
}

export async function createFixture(db: Db): Promise<Fixture> {
  const tag = randomBytes(4).toString('hex');
  const email = `owner-${tag}@test.skyport`;
  const user = await db.user.create({ data: { email, name: `Owner ${tag}`, roles: ['requester'] } });
  const project = await db.project.create({ data: { key: `p${tag}`, name: `Project ${tag}`, costCentre: 'CC-1', ownerId: user.id } });
  await db.projectMembership.create({ data: { projectId: project.id, userId: user.id, role: 'owner' } });
  const template = await db.catalogTemplate.create({ data: { slug: `t-${tag}`, name: 'Test VM', os: 'linux', vcpus: 1, memoryMiB: 1024, diskGiB: 10 } });
  const version = await db.catalogTemplateVersion.create({ data: { templateId: template.id, version: 1, snapshot: {} } });
  return { userId: user.id, email, projectId: project.id, projectKey: project.key, templateVersionId: version.id };
}

export interface ItemSpec {
  account: EmulatedPlacement;
  quantity?: number;
  name?: string;
  leaseDays?: number;
  image?: string;
}

/** An approved request with the given items, handed to the engine exactly as approval does. */
export async function createApprovedRequest(db: Db, fixture: Fixture, items: ItemSpec[]): Promise<{ requestId: string; itemIds: string[] }> {
  return db.$transaction(async (tx) => {
    const created = await insertRequest(tx, fixture, items, 'approved');
    await onRequestApproved(tx, created.requestId, auditContext(SYSTEM_ACTOR));
    return created;
  });
}

/** A request as submission leaves it (pending approval), for a benchmark that times only approval → VMs. */
export async function createSubmittedRequest(db: Db, fixture: Fixture, items: ItemSpec[]): Promise<{ requestId: string; itemIds: string[] }> {
  return db.$transaction((tx) => insertRequest(tx, fixture, items, 'pending_approval'));
}

/** The last approval of a submitted request: approved, and the engine's hand-off in the same transaction. */
export async function approveSubmittedRequest(db: Db, requestId: string): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.request.update({ where: { id: requestId, status: 'pending_approval' }, data: { status: 'approved', decidedAt: new Date() } });
    await onRequestApproved(tx, requestId, auditContext(SYSTEM_ACTOR));
  });
}

async function insertRequest(tx: Prisma.TransactionClient, fixture: Fixture, items: ItemSpec[], status: 'approved' | 'pending_approval') {
  const request = await tx.request.create({
    data: { requesterId: fixture.userId, projectId: fixture.projectId, status, submittedAt: new Date(), decidedAt: status === 'approved' ? new Date() : null },
  });
  const itemIds: string[] = [];
  for (const [i, spec] of items.entries()) {
    const item = await tx.requestItem.create({
      data: {
        requestId: request.id,
        templateVersionId: fixture.templateVersionId,
        providerAccountId: spec.account.accountId,
        regionCode: spec.account.region,
        size: spec.account.size,
        image: spec.image ?? spec.account.image,
        name: spec.name ?? `vm-${randomBytes(3).toString('hex')}-${i}`,
        quantity: spec.quantity ?? 1,
        vcpus: 1,
        memoryMiB: 1024,
        diskGiB: 10,
        leaseDays: spec.leaseDays ?? null,
        estimatedMonthlyCost: '10.00',
      },
    });
    itemIds.push(item.id);
  }
  return { requestId: request.id, itemIds };
}

export type { ProviderAccountView };
