// Inventory discovery: list every VM of an account in each enabled region (all pages) into the
// VM table, upserting by (account, provider id). VMs made outside Skyport are included; VMs that
// vanished from a fully listed region are marked deleted.
import { z } from 'zod';
import type { Prisma, ProviderAccount } from '@/generated/prisma/client';
import { isProviderError } from '@/providers/errors';
import type { ObservedVm } from '@/providers/types';
import { recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { NotFoundError, ValidationError } from '../errors';
import { adapterForAccount } from './service';

export const syncResultSchema = z.object({
  accountId: z.string(),
  regions: z.array(
    z.object({ region: z.string(), discovered: z.number().int(), created: z.number().int(), updated: z.number().int(), removed: z.number().int() }),
  ),
  total: z.number().int(),
});

export interface RegionSyncResult {
  region: string;
  discovered: number;
  created: number;
  updated: number;
  removed: number;
}

export interface SyncResult {
  accountId: string;
  regions: RegionSyncResult[];
  total: number;
}

const MAX_PAGES_PER_REGION = 10_000;

function vmFields(vm: ObservedVm) {
  return {
    name: vm.name,
    regionCode: vm.region,
    zone: vm.zone ?? null,
    size: vm.size,
    vcpus: vm.vcpus ?? null,
    memoryMiB: vm.memoryMiB ?? null,
    imageId: vm.imageId ?? null,
    state: vm.state,
    providerState: vm.providerState,
    tags: vm.tags as Prisma.InputJsonValue,
    privateIp: vm.privateIp ?? null,
    publicIp: vm.publicIp ?? null,
    providerCreatedAt: vm.createdAt ?? null,
    createdBySkyport: vm.skyport !== null,
    lastSeenAt: new Date(),
    deletedAt: vm.state === 'deleted' ? new Date() : null,
  };
}

export async function syncProviderAccount(db: Db, accountId: string, audit: AuditContext): Promise<SyncResult> {
  const account = await db.providerAccount.findUnique({ where: { id: accountId }, include: { regions: true } });
  if (!account) throw new NotFoundError('Provider account');
  const regions = account.regions.filter((r) => r.enabled).map((r) => r.code).sort();
  if (!regions.length) {
    throw new ValidationError([{ field: 'enabledRegions', message: 'Enable at least one region before syncing.' }], 'No enabled regions.');
  }
  try {
    return await syncRegions(db, account, regions, audit);
  } catch (error) {
    // A provider failure is recorded on the account (status + message) before it reaches the caller.
    if (isProviderError(error)) {
      await db.$transaction(async (tx) => {
        await tx.providerAccount.update({ where: { id: account.id }, data: { status: 'error', statusMessage: `Sync failed: ${error.message}`.slice(0, 1000) } });
        await recordAudit(tx, audit, {
          action: 'provider_account.sync',
          targetType: 'provider_account',
          targetId: account.id,
          after: { ok: false, errorCode: error.code, detail: error.message },
        });
      });
    }
    throw error;
  }
}

async function syncRegions(db: Db, account: ProviderAccount, regions: string[], audit: AuditContext): Promise<SyncResult> {
  const { adapter } = adapterForAccount(account);
  // Ownership from Skyport tags: resolve project keys and owner e-mails once.
  const projects = new Map((await db.project.findMany({ select: { id: true, key: true } })).map((p) => [p.key, p.id]));
  const users = new Map((await db.user.findMany({ select: { id: true, email: true } })).map((u) => [u.email, u.id]));

  const results: RegionSyncResult[] = [];
  for (const region of regions) {
    const seen = new Set<string>();
    const result: RegionSyncResult = { region, discovered: 0, created: 0, updated: 0, removed: 0 };
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await adapter.listVms(region, { pageToken, pageSize: 500 });
      pages += 1;
      const existing = new Set(
        (
          await db.vm.findMany({
            where: { providerAccountId: account.id, providerId: { in: page.vms.map((v) => v.providerId) } },
            select: { providerId: true },
          })
        ).map((v) => v.providerId),
      );
      await db.$transaction(
        page.vms.map((vm) => {
          seen.add(vm.providerId);
          const ownership = {
            projectId: vm.skyport ? projects.get(vm.skyport.project) ?? null : null,
            ownerId: vm.skyport ? users.get(vm.skyport.owner) ?? null : null,
          };
          return db.vm.upsert({
            where: { providerAccountId_providerId: { providerAccountId: account.id, providerId: vm.providerId } },
            create: { providerAccountId: account.id, providerKind: account.kind, providerId: vm.providerId, ...vmFields(vm), ...ownership },
            update: { ...vmFields(vm), ...ownership },
          });
        }),
      );
      for (const vm of page.vms) {
        if (existing.has(vm.providerId)) result.updated += 1;
        else result.created += 1;
      }
      result.discovered += page.vms.length;
      pageToken = page.nextPageToken;
    } while (pageToken && pages < MAX_PAGES_PER_REGION);

    const gone = await db.vm.updateMany({
      where: { providerAccountId: account.id, regionCode: region, deletedAt: null, providerId: { notIn: [...seen] } },
      data: { state: 'deleted', deletedAt: new Date() },
    });
    result.removed = gone.count;
    results.push(result);
  }
  const total = results.reduce((sum, r) => sum + r.discovered, 0);
  await db.$transaction(async (tx) => {
    await tx.providerAccount.update({ where: { id: account.id }, data: { lastSyncedAt: new Date(), status: 'ok', statusMessage: `Synced ${total} VMs` } });
    await recordAudit(tx, audit, { action: 'provider_account.sync', targetType: 'provider_account', targetId: account.id, after: { regions: results, total } });
  });
  return { accountId: account.id, regions: results, total };
}
