// Dashboard tiles on top of the inventory: VMs by provider and state, unmanaged, drift, and leases
// expiring within the next 7 days — all within what the principal may see. Each tile links to the
// table filtered the same way (the filter keys of listVms).
import type { ProviderKind, VmState } from '@/generated/prisma/enums';
import type { Principal } from '../auth/principal';
import type { Db } from '../db/client';
import { filterConditions, whereSql } from './list';
import type { InventoryTiles } from './schemas';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

export async function inventoryTiles(db: Db, principal: Principal, now = new Date()): Promise<InventoryTiles> {
  const weekEnd = new Date(now.getTime() + WEEK_MS);
  const where = whereSql(filterConditions(principal, {}));
  const [groups, totals] = await Promise.all([
    db.$queryRaw<{ providerKind: ProviderKind; state: VmState; count: number }[]>`
      SELECT v."providerKind", v."state", count(*)::int AS count FROM "Vm" v ${where}
      GROUP BY v."providerKind", v."state" ORDER BY v."providerKind", v."state"`,
    db.$queryRaw<{ total: number; unmanaged: number; drift: number; leases: number }[]>`
      SELECT count(*)::int AS total,
        (count(*) FILTER (WHERE NOT v."managed"))::int AS unmanaged,
        (count(*) FILTER (WHERE v."drift"))::int AS drift,
        (count(*) FILTER (WHERE v."leaseExpiresAt" < ${weekEnd.toISOString()}::timestamp(3)))::int AS leases
      FROM "Vm" v ${where}`,
  ]);
  const t = totals[0] ?? { total: 0, unmanaged: 0, drift: 0, leases: 0 };
  return { byProviderState: groups, total: t.total, unmanaged: t.unmanaged, drift: t.drift, leasesExpiringThisWeek: t.leases, weekEnd: weekEnd.toISOString() };
}

/** Regions per provider among visible VMs, for the dependent region filter. */
export async function regionOptions(db: Db, principal: Principal): Promise<{ providerKind: ProviderKind; regionCode: string }[]> {
  return db.$queryRaw`SELECT DISTINCT v."providerKind", v."regionCode" FROM "Vm" v ${whereSql(filterConditions(principal, {}))} ORDER BY 1, 2`;
}

