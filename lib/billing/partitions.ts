// Partition bookkeeping for CostRecord (see the billing_cost_partitions migration): one RANGE
// partition per billing month, LIST sub-partitions per scope (provider + billing account). A
// re-import replaces exactly one leaf: detach + drop the old one, attach the new one, rebuild that
// leaf's daily rollup — all in the caller's transaction, so readers see the old or the new period.
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';
import { clearResourceRollup } from './resource-rollup';
import { clearTagRollup } from './tag-rollup';

type Tx = Prisma.TransactionClient | Db;

export const monthTable = (billingMonth: string) => `CostRecord_y${billingMonth.slice(0, 4)}m${billingMonth.slice(5, 7)}`;
export const leafTable = (billingMonth: string, scopeKey: string) => `${monthTable(billingMonth)}_${scopeKey}`;

const SAFE_NAME = /^[A-Za-z0-9_]+$/;
const ident = (name: string) => {
  if (!SAFE_NAME.test(name)) throw new Error(`unsafe identifier ${name}`);
  return `"${name}"`;
};
const literal = (value: string) => {
  if (!/^[0-9a-f-]+$/i.test(value)) throw new Error(`unsafe literal ${value}`);
  return `'${value}'`;
};

function nextMonth(billingMonth: string): string {
  const [y, m] = billingMonth.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m, 1));
  return d.toISOString().slice(0, 10);
}

async function tableExists(tx: Tx, name: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ exists: boolean }[]>`SELECT to_regclass(${`public."${name}"`}) IS NOT NULL AS exists`;
  return rows[0]?.exists ?? false;
}

export async function ensureMonthPartition(tx: Tx, billingMonth: string): Promise<void> {
  await tx.$executeRawUnsafe(
    `CREATE TABLE IF NOT EXISTS ${ident(monthTable(billingMonth))} PARTITION OF "CostRecord"
       FOR VALUES FROM (${literal(billingMonth)}) TO (${literal(nextMonth(billingMonth))}) PARTITION BY LIST ("scopeKey")`,
  );
}

/** Serialises swaps (and chargeback runs) so two imports of one period cannot interleave. */
export async function lockSwaps(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('skyport.billing.swap'))`);
}

/**
 * Runs `rebuild` for each period an import just swapped in, each in its own transaction after the
 * swap: under the swap lock, and only while the leaf still holds this import's rows (a later import
 * rebuilds its own). The rollups built this way are optional — until one is built, or if this fails,
 * breakdowns read raw rows with the same results — so a failure is logged and the import stays succeeded.
 */
export async function rebuildForImportedLeaves(
  db: Db,
  importId: string,
  periods: readonly { month: string; scopeKey: string }[],
  what: string,
  rebuild: (tx: Tx, month: string, scopeKey: string, leaf: string) => Promise<void>,
): Promise<void> {
  for (const { month, scopeKey } of periods) {
    const leaf = leafTable(month, scopeKey);
    try {
      await db.$transaction(
        async (tx) => {
          await lockSwaps(tx);
          const owner = (await tableExists(tx, leaf)) ? await tx.$queryRawUnsafe<{ importId: string }[]>(`SELECT "importId" FROM ${ident(leaf)} LIMIT 1`) : [];
          if (owner[0]?.importId === importId) await rebuild(tx, month, scopeKey, leaf);
        },
        { timeout: 30 * 60_000, maxWait: 60_000 },
      );
    } catch (error) {
      console.error(`[billing] ${what} of ${month} ${scopeKey} not built (breakdowns read raw rows): ${(error as Error).message}`);
    }
  }
}

/** The VMs, projects and provider accounts a new period's rows link to. */
export interface LinkTargets {
  vmIds: string[];
  projectIds: string[];
  providerAccountIds: string[];
}

export class LinkTargetGone extends Error {}

/** The link targets of a staged table, read from its rows (the paths that do not know them already). */
async function linkTargetsOf(tx: Tx, table: string): Promise<LinkTargets> {
  const distinct = async (column: string) =>
    (await tx.$queryRawUnsafe<{ id: string }[]>(`SELECT DISTINCT ${ident(column)} AS id FROM ${ident(table)} WHERE ${ident(column)} IS NOT NULL`)).map((r) => r.id);
  return { vmIds: await distinct('vmId'), projectIds: await distinct('projectId'), providerAccountIds: await distinct('providerAccountId') };
}

/**
 * CostRecord's foreign keys are NOT VALID (see the billing_cost_fk_not_validated migration), so
 * ATTACH does not check the new rows' links: this does, against the few distinct targets, and
 * KEY SHARE-locks them so that none can be deleted before the swap commits (a delete after that
 * nulls the links through the foreign keys' ON DELETE SET NULL, as for any other row).
 */
async function lockLinkTargets(tx: Tx, targets: LinkTargets): Promise<void> {
  for (const [table, ids] of [['Vm', targets.vmIds], ['Project', targets.projectIds], ['ProviderAccount', targets.providerAccountIds]] as const) {
    if (!ids.length) continue;
    const found = await tx.$queryRawUnsafe<{ id: string }[]>(`SELECT "id" FROM ${ident(table)} WHERE "id" = ANY($1::text[]) FOR KEY SHARE`, ids);
    if (found.length !== new Set(ids).size) {
      throw new LinkTargetGone(`A ${table === 'Vm' ? 'VM' : table === 'Project' ? 'project' : 'provider account'} the file's rows link to was deleted during the import; import the file again.`);
    }
  }
}

/**
 * Replace the leaf (billingMonth, scopeKey) with `newTable`, which holds exactly that period's rows
 * and has CostRecord's columns. Returns how many rows the replaced leaf had. `targets`: what the
 * rows link to, when the caller knows it (otherwise read from the rows). The period's tag and resource
 * rollups are cleared here and rebuilt by the importer after this transaction commits (tag-rollup.ts): outside
 * the DETACH's lock, which holds readers of the month.
 */
export async function swapLeaf(tx: Tx, billingMonth: string, scopeKey: string, newTable: string, rollupTable?: string, targets?: LinkTargets): Promise<number> {
  await lockLinkTargets(tx, targets ?? (await linkTargetsOf(tx, newTable)));
  await ensureMonthPartition(tx, billingMonth);
  const parent = ident(monthTable(billingMonth));
  const leaf = leafTable(billingMonth, scopeKey);
  let replaced = 0;
  if (await tableExists(tx, leaf)) {
    // Every leaf is attached by this function with its rollup, whose row counts are exact: no
    // count(*) over the old leaf (a second full scan of a large period inside the swap lock).
    const count = await tx.$queryRaw<{ n: bigint | null }[]>`
      SELECT sum("rowCount")::bigint AS n FROM "CostDailyRollup" WHERE "billingMonth" = ${billingMonth}::date AND "scopeKey" = ${scopeKey}`;
    replaced = Number(count[0]?.n ?? 0);
    await tx.$executeRawUnsafe(`ALTER TABLE ${parent} DETACH PARTITION ${ident(leaf)}`);
    await tx.$executeRawUnsafe(`DROP TABLE ${ident(leaf)}`);
  }
  await tx.$executeRawUnsafe(`ALTER TABLE ${ident(newTable)} RENAME TO ${ident(leaf)}`);
  // A leaf loaded in shards (typed-copy.ts) is itself partitioned: its shards take its name too.
  const shards = await tx.$queryRawUnsafe<{ name: string }[]>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY c.relname`,
    `public.${ident(leaf)}`,
  );
  for (const [k, shard] of shards.entries()) await tx.$executeRawUnsafe(`ALTER TABLE ${ident(shard.name)} RENAME TO ${ident(`${leaf}_s${k}`)}`);
  await tx.$executeRawUnsafe(`ALTER TABLE ${parent} ATTACH PARTITION ${ident(leaf)} FOR VALUES IN (${literal(scopeKey)})`);
  await rebuildRollup(tx, billingMonth, scopeKey, rollupTable);
  await clearTagRollup(tx, billingMonth, scopeKey);
  await clearResourceRollup(tx, billingMonth, scopeKey);
  return replaced;
}

/** CostDailyRollup's grouping columns (the first twelve of ROLLUP_SELECT). */
export const ROLLUP_GROUP_KEYS = ['billingMonth', 'scopeKey', 'day', 'lastDay', 'providerName', 'billingCurrency', 'chargeCategory', 'region', 'projectId', 'serviceCategory', 'serviceName', 'subAccountId'];
/** CostDailyRollup's columns, in order. */
const ROLLUP_COLUMNS = [...ROLLUP_GROUP_KEYS, 'subAccountName', 'billedCost', 'effectiveCost', 'rowCount'].map((c) => `"${c}"`).join(', ');
/** The rollup of CostRecord rows, grouped by its first 12 columns (GROUP BY 1, …, 12). */
export const ROLLUP_SELECT = `"billingMonth", "scopeKey", "chargePeriodStart"::date AS "day",
           GREATEST("chargePeriodStart"::date, ("chargePeriodEnd" - interval '1 millisecond')::date) AS "lastDay",
           "providerName", "billingCurrency", "chargeCategory", COALESCE("regionId", "regionName") AS "region", "projectId",
           "serviceCategory", "serviceName", "subAccountId", max("subAccountName") AS "subAccountName",
           sum("billedCost") AS "billedCost", sum("effectiveCost") AS "effectiveCost", count(*) AS "rowCount"`;

/**
 * The daily rollup of one leaf, recomputed from its rows (same transaction as the swap), or copied
 * from `precomputed` (a table of exactly these rows, built by the typed COPY in its load transaction; dropped here).
 */
export async function rebuildRollup(tx: Tx, billingMonth: string, scopeKey: string, precomputed?: string): Promise<void> {
  const leaf = ident(leafTable(billingMonth, scopeKey));
  await tx.$executeRaw`DELETE FROM "CostDailyRollup" WHERE "billingMonth" = ${billingMonth}::date AND "scopeKey" = ${scopeKey}`;
  if (precomputed) {
    await tx.$executeRawUnsafe(`INSERT INTO "CostDailyRollup" (${ROLLUP_COLUMNS}) SELECT ${ROLLUP_COLUMNS} FROM ${ident(precomputed)}`);
    await tx.$executeRawUnsafe(`DROP TABLE ${ident(precomputed)}`);
    return;
  }
  await tx.$executeRawUnsafe(`INSERT INTO "CostDailyRollup" (${ROLLUP_COLUMNS}) SELECT ${ROLLUP_SELECT} FROM ${leaf} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12`);
}
