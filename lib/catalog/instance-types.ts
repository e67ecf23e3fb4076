// vCPU and memory of every instance type (cloud) or sizing label (vSphere), learnt from the
// adapters' listSizes. Placements, price book rows and inventory rows read them from here, so no
// row has to say "— / —" because one provider's VM listing omits the shape.
import type { Prisma } from '@/generated/prisma/client';
import type { ProviderKind } from '@/generated/prisma/enums';
import type { ProviderSize } from '@/providers/types';
import type { Db } from '../db/client';
import { adapterForAccount } from '../provider-accounts/service';

type Tx = Prisma.TransactionClient | Db;

export interface InstanceTypeShape {
  vcpus: number;
  memoryMiB: number;
}

/**
 * Upserts one region's sizes in one statement, then fills vCPU/RAM on inventory rows of that
 * provider that lack them (their listing did not carry the shape).
 */
export async function upsertInstanceTypes(db: Tx, providerKind: ProviderKind, regionCode: string, sizes: ProviderSize[]): Promise<void> {
  const valid = sizes.filter((s) => s.id && Number.isInteger(s.vcpus) && s.vcpus > 0 && Number.isInteger(s.memoryMiB) && s.memoryMiB > 0);
  if (valid.length === 0) return;
  const names = valid.map((s) => s.id);
  const labels = valid.map((s) => s.name ?? '');
  const vcpus = valid.map((s) => s.vcpus);
  const memory = valid.map((s) => s.memoryMiB);
  await db.$executeRaw`
    INSERT INTO "InstanceType" (id, "providerKind", "regionCode", name, label, vcpus, "memoryMiB", "updatedAt")
    SELECT gen_random_uuid()::text, ${providerKind}::"ProviderKind", ${regionCode}, n, l, c, m, now()
    FROM unnest(${names}::text[], ${labels}::text[], ${vcpus}::int[], ${memory}::int[]) AS s(n, l, c, m)
    ON CONFLICT ("providerKind", "regionCode", name)
    DO UPDATE SET label = EXCLUDED.label, vcpus = EXCLUDED.vcpus, "memoryMiB" = EXCLUDED."memoryMiB", "updatedAt" = now()
    WHERE "InstanceType".vcpus <> EXCLUDED.vcpus OR "InstanceType"."memoryMiB" <> EXCLUDED."memoryMiB" OR "InstanceType".label <> EXCLUDED.label`;
  await db.$executeRaw`
    UPDATE "Vm" v SET vcpus = COALESCE(v.vcpus, s.c), "memoryMiB" = COALESCE(v."memoryMiB", s.m)
    FROM unnest(${names}::text[], ${vcpus}::int[], ${memory}::int[]) AS s(n, c, m)
    WHERE v."providerKind" = ${providerKind}::"ProviderKind" AND lower(v.size) = lower(s.n) AND (v.vcpus IS NULL OR v."memoryMiB" IS NULL)`;
}

/** "custom-<vcpus>x<MiB>": the name adapters give a VM whose shape matches no listed size. */
function parseCustomShape(name: string): InstanceTypeShape | null {
  const match = /^custom-(\d{1,4})x(\d{1,9})$/.exec(name);
  return match ? { vcpus: Number(match[1]), memoryMiB: Number(match[2]) } : null;
}

/**
 * vCPU/RAM of one instance type (any region; shapes do not differ by region), or null. Names
 * match case-insensitively (Azure treats "Standard_B2s" and "standard_b2s" as the same size).
 */
export async function resolveInstanceType(db: Tx, providerKind: ProviderKind, instanceType: string): Promise<InstanceTypeShape | null> {
  const row = await db.instanceType.findFirst({
    where: { providerKind, name: { equals: instanceType, mode: 'insensitive' } },
    orderBy: { updatedAt: 'desc' },
    select: { vcpus: true, memoryMiB: true },
  });
  return row ?? parseCustomShape(instanceType);
}

export const instanceTypeKey = (providerKind: ProviderKind, name: string) => `${providerKind}:${name}`;

/** Batch form for lists: one query for many (kind, type) pairs; keys from `instanceTypeKey`. */
export async function resolveInstanceTypes(
  db: Tx,
  pairs: readonly { providerKind: ProviderKind; instanceType: string }[],
): Promise<Map<string, InstanceTypeShape>> {
  const out = new Map<string, InstanceTypeShape>();
  if (pairs.length === 0) return out;
  const rows = await db.instanceType.findMany({
    where: { OR: pairs.map((p) => ({ providerKind: p.providerKind, name: p.instanceType })) },
    orderBy: { updatedAt: 'asc' },
    select: { providerKind: true, name: true, vcpus: true, memoryMiB: true },
  });
  for (const r of rows) out.set(instanceTypeKey(r.providerKind, r.name), { vcpus: r.vcpus, memoryMiB: r.memoryMiB });
  for (const p of pairs) {
    const key = instanceTypeKey(p.providerKind, p.instanceType);
    if (!out.has(key)) {
      const custom = parseCustomShape(p.instanceType);
      if (custom) out.set(key, custom);
    }
  }
  return out;
}

export interface InstanceTypeView {
  providerKind: ProviderKind;
  name: string;
  label: string;
  vcpus: number;
  memoryMiB: number;
  regionCodes: string[];
}

/** Every known instance type of a provider (for the template form's pickers). */
export async function listInstanceTypes(db: Tx, providerKind?: ProviderKind): Promise<InstanceTypeView[]> {
  const rows = await db.instanceType.findMany({
    where: providerKind ? { providerKind } : {},
    orderBy: [{ providerKind: 'asc' }, { vcpus: 'asc' }, { memoryMiB: 'asc' }, { name: 'asc' }],
    take: 5000,
  });
  const byKey = new Map<string, InstanceTypeView>();
  for (const r of rows) {
    const key = instanceTypeKey(r.providerKind, r.name);
    const view = byKey.get(key) ?? { providerKind: r.providerKind, name: r.name, label: r.label, vcpus: r.vcpus, memoryMiB: r.memoryMiB, regionCodes: [] };
    view.regionCodes.push(r.regionCode);
    byKey.set(key, view);
  }
  return [...byKey.values()];
}

/**
 * Reads the sizes of every enabled region of one account through its adapter and stores them.
 * Called at sandbox start; the inventory sync stores sizes itself as it lists them.
 */
export async function refreshInstanceTypes(db: Db, accountId: string): Promise<{ regions: number; sizes: number }> {
  const account = await db.providerAccount.findUniqueOrThrow({ where: { id: accountId }, include: { regions: { where: { enabled: true } } } });
  const { adapter } = adapterForAccount(account);
  let sizes = 0;
  try {
    for (const region of account.regions) {
      const listed = await adapter.listSizes(region.code);
      await upsertInstanceTypes(db, account.kind, region.code, listed);
      sizes += listed.length;
    }
  } finally {
    await adapter.close();
  }
  return { regions: account.regions.length, sizes };
}
