// Cost explorer queries: summary, pivot breakdown, daily trend, line items. Rollup-able dimensions
// read CostDailyRollup (maintained on import); a tag rolled up at import reads CostTagRollup
// (tag-rollup.ts); resource and other tag dimensions read the CostRecord leaves the rollup names.
// Money is summed in numeric and returned as exact decimal strings.
import { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';
import { Decimal, forecastMonthEnd, formatDecimal, monthBounds } from './money';
import { leafTable } from './partitions';
import { type CostScope, assertCostProjectAccess } from './scope';
import type { CostDimension, CostFilters } from './schemas';

const sql = Prisma.sql;
const DAY_MS = 86_400_000;

const ROLLUP_DIMENSIONS: Partial<Record<CostDimension, string>> = {
  provider: '"providerName"',
  region: '"region"',
  project: '"projectId"',
  serviceCategory: '"serviceCategory"',
  service: '"serviceName"',
  subAccount: '"subAccountId"',
  chargeCategory: '"chargeCategory"',
};
const RAW_DIMENSIONS: Record<Exclude<CostDimension, 'tag'>, string> = {
  provider: '"providerName"',
  region: 'COALESCE("regionId", "regionName")',
  project: '"projectId"',
  serviceCategory: '"serviceCategory"',
  service: '"serviceName"',
  subAccount: '"subAccountId"',
  chargeCategory: '"chargeCategory"',
  resource: 'COALESCE("resourceId", \'\')',
};

export const DIMENSION_LABELS: Record<CostDimension, string> = {
  provider: 'Provider',
  region: 'Region',
  project: 'Project',
  serviceCategory: 'Service category',
  service: 'Service',
  subAccount: 'Sub-account',
  chargeCategory: 'Charge category',
  resource: 'Resource / VM',
  tag: 'Tag',
};

export interface Money {
  billedCost: string;
  effectiveCost: string;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const asDate = (iso: string) => new Date(`${iso}T00:00:00Z`);

/** Does this query need raw rows (a resource / tag dimension or filter)? */
function needsRaw(filters: CostFilters, dims: (CostDimension | undefined)[]): boolean {
  return dims.some((d) => d && !ROLLUP_DIMENSIONS[d]) || filters.resourceId !== undefined || filters.vmId !== undefined || (!!filters.tagKey && filters.tagValue !== undefined);
}

/** Which table a query reads: the daily rollup, the tag rollup (CostTagRollup, one tag key) or raw rows. */
type Grain = 'rollup' | 'tagRollup' | 'raw';

function dimensionExpr(dim: CostDimension, grain: Grain, tagKey?: string): Prisma.Sql {
  if (dim === 'tag') return grain === 'tagRollup' ? sql`"tagValue"` : sql`COALESCE("tags" ->> ${tagKey ?? ''}, '')`;
  return Prisma.raw(grain === 'raw' ? RAW_DIMENSIONS[dim] : ROLLUP_DIMENSIONS[dim]!);
}

/**
 * Can the tag rollup answer a breakdown that needs raw rows? Only by its one tag key (grouped, pivoted
 * or filtered on), the other dimension a rollup one, and no resource / VM filter; then only if every
 * leaf the range touches has that key rolled up (tagRollupCovers).
 */
function tagRollupCandidate(filters: CostFilters, dims: (CostDimension | undefined)[], tagKey: string | undefined): tagKey is string {
  if (!tagKey || filters.resourceId !== undefined || filters.vmId !== undefined) return false;
  if (filters.tagKey && filters.tagValue !== undefined && filters.tagKey !== tagKey) return false;
  return dims.every((d) => !d || d === 'tag' || ROLLUP_DIMENSIONS[d]);
}

/** Does CostTagRollup hold `tagKey` for every leaf with rows in the range (a key configured after a period's import does not)? */
async function tagRollupCovers(db: Db, scope: CostScope, filters: CostFilters, tagKey: string): Promise<boolean> {
  const rows = await db.$queryRaw<{ missing: number }[]>`
    SELECT count(*)::int AS missing FROM (SELECT DISTINCT "billingMonth", "scopeKey" FROM "CostDailyRollup" ${baseWhere(scope, filters, false)}) l
    WHERE NOT EXISTS (SELECT 1 FROM "CostTagRollupKey" k WHERE k."billingMonth" = l."billingMonth" AND k."scopeKey" = l."scopeKey" AND k."tagKey" = ${tagKey})`;
  return rows[0]?.missing === 0;
}

/** The tag rollup's rows for the filters (same day rule as the daily rollup), of one key and, when filtered, one value. */
function tagRollupSource(scope: CostScope, filters: CostFilters, tagKey: string): Source {
  const value = filters.tagKey === tagKey && filters.tagValue !== undefined ? sql` AND "tagValue" = ${filters.tagValue}` : sql``;
  return { from: sql`"CostTagRollup"`, where: sql`${baseWhere(scope, filters, false)} AND "tagKey" = ${tagKey}${value}` };
}

/**
 * WHERE for either table; charge periods overlapping [start, end). `range` false: the filters and
 * the scope only (the rollup columns, for CostResourceRollup, which has no days).
 */
function baseWhere(scope: CostScope, filters: CostFilters, raw: boolean, range = true): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  const start = asDate(filters.start);
  const end = asDate(filters.end);
  if (!range) {
    parts.push(sql`TRUE`);
  } else if (raw) {
    // No billingMonth / scopeKey condition: sourceFor reads the matching leaves by name instead.
    parts.push(sql`"chargePeriodStart" < ${end}`, sql`("chargePeriodEnd" > ${start} OR "chargePeriodEnd" = "chargePeriodStart" AND "chargePeriodStart" >= ${start})`);
  } else {
    parts.push(sql`"day" < ${end}::date`, sql`"lastDay" >= ${start}::date`);
  }
  if (!scope.all) parts.push(scope.projectIds.length ? sql`"projectId" IN (${Prisma.join(scope.projectIds)})` : sql`FALSE`);
  const eq = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    parts.push(value === '' ? sql`${Prisma.raw(column)} IS NULL` : sql`${Prisma.raw(column)} = ${value}`);
  };
  eq('"providerName"', filters.provider);
  eq(raw ? 'COALESCE("regionId", "regionName")' : '"region"', filters.region);
  eq('"projectId"', filters.projectId);
  eq('"serviceCategory"', filters.serviceCategory);
  eq('"serviceName"', filters.service);
  eq('"subAccountId"', filters.subAccount);
  eq('"chargeCategory"', filters.chargeCategory);
  if (raw) {
    eq('"resourceId"', filters.resourceId);
    eq('"vmId"', filters.vmId);
    // tagKey alone only names the tag to group by; with tagValue it filters ('' = rows without the tag).
    if (filters.tagKey && filters.tagValue !== undefined) parts.push(sql`COALESCE("tags" ->> ${filters.tagKey}, '') = ${filters.tagValue}`);
  }
  return sql`WHERE ${Prisma.join(parts, ' AND ')}`;
}

/** CostRecord's columns, in the parent's order (every leaf is created LIKE it; listed, so no leaf's own order matters). */
const COST_RECORD_COLUMNS = Object.values(Prisma.CostRecordScalarFieldEnum).map((c) => `"${c}"`).join(', ');
const LEAF_NAME = /^CostRecord_y[0-9]{4}m[0-9]{2}_[A-Za-z0-9]+$/;

/** What a query reads: the table (or the union of leaves standing in for CostRecord) and its WHERE. */
interface Source {
  from: Prisma.Sql;
  where: Prisma.Sql;
  /** Raw sources with `wholeLeaves`: the leaves read, and whether the range holds each one's every filtered row and its resource rollup is built. */
  leaves?: Leaf[];
}

interface Leaf {
  m: Date;
  s: string;
  /** The earliest rollup day of the leaf's rows in the range. */
  d: Date;
  /** Every row of the leaf matching the filters is in the range, and CostResourceRollup holds the leaf. */
  rolled: boolean;
}

/** A UNION ALL of the named leaves standing in for CostRecord. */
function leafUnion(leaves: readonly Leaf[]): Prisma.Sql {
  const union = leaves.map((l) => {
    const name = leafTable(day(l.m), l.s);
    if (!LEAF_NAME.test(name)) throw new Error(`unexpected leaf name ${name}`);
    return `SELECT ${COST_RECORD_COLUMNS} FROM "${name}"`;
  });
  return Prisma.raw(`(${union.join(' UNION ALL ')}) AS "CostRecord"`);
}

const earliestDay = (leaves: readonly Leaf[]) => leaves.reduce((min, l) => (l.d < min ? l.d : min), leaves[0]!.d);

/**
 * FROM and WHERE for either table. Raw queries read only the leaf partitions (billing month × scope)
 * the rollup has rows for overlapping the range, and no charge starting before the earliest such
 * row's day — exact, because the rollup holds every raw row under its start day. The leaves are
 * named (a UNION ALL) rather than pruned with "billingMonth" / "scopeKey" conditions on CostRecord:
 * PostgreSQL keeps such conditions as per-row filters even after pruning, and those two columns are
 * the 44th and 55th of a wide row, so every row was deformed to its end only to compare a constant
 * (measured: a third of a one-leaf scan's CPU).
 */
async function sourceFor(db: Db, scope: CostScope, filters: CostFilters, raw: boolean, wholeLeaves = false): Promise<Source> {
  const base = baseWhere(scope, filters, raw);
  if (!raw) return { from: sql`"CostDailyRollup"`, where: base };
  const leaves = wholeLeaves
    ? await leavesWithCoverage(db, scope, filters)
    : await db.$queryRaw<Leaf[]>`
        SELECT "billingMonth" AS m, "scopeKey" AS s, min("day") AS d, FALSE AS rolled FROM "CostDailyRollup" ${baseWhere(scope, filters, false)} GROUP BY 1, 2 ORDER BY 1, 2`;
  if (!leaves.length) return { from: sql`"CostRecord"`, where: sql`${base} AND FALSE`, leaves };
  return { from: leafUnion(leaves), where: sql`${base} AND "chargePeriodStart" >= ${earliestDay(leaves)}`, leaves };
}

/**
 * sourceFor's leaves, each with whether the resource rollup can stand in for its rows: the leaf's
 * rollup rows matching the filters (the range aside) all lie in the range — the daily rollup's
 * day / lastDay rule is the raw rows' overlap rule, so then every raw row of the leaf matching the
 * filters is one the breakdown sums — and CostResourceRollupLeaf says its resource rollup is built.
 * Only leaves with rows in the range are looked at (the inner DISTINCT, through the day index).
 */
async function leavesWithCoverage(db: Db, scope: CostScope, filters: CostFilters): Promise<Leaf[]> {
  const start = asDate(filters.start);
  const end = asDate(filters.end);
  return db.$queryRaw<Leaf[]>`
    SELECT l.m, l.s, l.d, l.whole AND EXISTS (SELECT 1 FROM "CostResourceRollupLeaf" k WHERE k."billingMonth" = l.m AND k."scopeKey" = l.s) AS rolled
    FROM (
      SELECT "billingMonth" AS m, "scopeKey" AS s, min("day") FILTER (WHERE inside) AS d, bool_and(inside) AS whole
      FROM (SELECT "billingMonth", "scopeKey", "day", ("day" < ${end}::date AND "lastDay" >= ${start}::date) AS inside
            FROM "CostDailyRollup" ${baseWhere(scope, filters, false, false)}
              AND ("billingMonth", "scopeKey") IN (SELECT DISTINCT "billingMonth", "scopeKey" FROM "CostDailyRollup" ${baseWhere(scope, filters, false)})) r
      GROUP BY 1, 2 HAVING bool_or(inside)
    ) l ORDER BY 1, 2`;
}

interface SumRow {
  billed: string | null;
  effective: string | null;
}
const money = (r: SumRow | undefined): Money => ({ billedCost: formatDecimal(r?.billed), effectiveCost: formatDecimal(r?.effective) });

/** The currency to report in: the one with the most cost (several currencies are listed, never mixed). */
async function currenciesFor(db: Db, scope: CostScope, filters: CostFilters): Promise<string[]> {
  const raw = needsRaw(filters, []);
  const { from, where } = await sourceFor(db, scope, filters, raw);
  const rows = await db.$queryRaw<{ currency: string }[]>`
    SELECT "billingCurrency" AS currency FROM ${from} ${where}
    GROUP BY 1 ORDER BY sum(abs("effectiveCost")) DESC, 1`;
  return rows.map((r) => r.currency);
}

export interface CostSummary {
  currency: string;
  currencies: string[];
  start: string;
  end: string;
  totals: { provider: string; currency: string; billedCost: string; effectiveCost: string }[];
  total: Money;
  monthToDate: Money;
  forecastMonthEnd: Money & { method: string };
  lastMonth: Money;
  rowCount: number;
}

export const FORECAST_METHOD =
  'Linear run-rate: month-to-date cost ÷ days elapsed this month (today, UTC, counts) × days in the month.';

/** Sums per currency (one round trip); the summary picks its currency afterwards. */
async function totalsByCurrency(db: Db, scope: CostScope, filters: CostFilters): Promise<Map<string, SumRow>> {
  const raw = needsRaw(filters, []);
  const { from, where } = await sourceFor(db, scope, filters, raw);
  const rows = await db.$queryRaw<(SumRow & { currency: string })[]>`
    SELECT "billingCurrency" AS currency, sum("billedCost")::text AS billed, sum("effectiveCost")::text AS effective
    FROM ${from} ${where} GROUP BY 1`;
  return new Map(rows.map((r) => [r.currency, r]));
}

export async function getCostSummary(db: Db, scope: CostScope, filters: CostFilters, now: Date = new Date()): Promise<CostSummary> {
  if (filters.projectId) assertCostProjectAccess(scope, filters.projectId);
  const raw = needsRaw(filters, []);
  const { start: monthStart, end: monthEnd } = monthBounds(now);
  const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const lastMonthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  // The range, month to date and last month in parallel; the currency is chosen from the results.
  const [rows, mtdByCurrency, lastByCurrency] = await Promise.all([
    sourceFor(db, scope, filters, raw).then(({ from, where }) =>
      db.$queryRaw<(SumRow & { provider: string; currency: string; n: bigint })[]>`
        SELECT "providerName" AS provider, "billingCurrency" AS currency, sum("billedCost")::text AS billed,
               sum("effectiveCost")::text AS effective, ${raw ? sql`count(*)` : sql`sum("rowCount")`}::bigint AS n
        FROM ${from} ${where}
        GROUP BY 1, 2 ORDER BY sum("effectiveCost") DESC, 1`,
    ),
    totalsByCurrency(db, scope, { ...filters, start: day(monthStart), end: day(tomorrow < monthEnd ? tomorrow : monthEnd) }),
    totalsByCurrency(db, scope, { ...filters, start: day(lastMonthStart), end: day(monthStart) }),
  ]);
  // Several currencies are listed, never mixed: totals are reported in the one with the most cost.
  const weight = new Map<string, InstanceType<typeof Decimal>>();
  const add = (currency: string, effective: string | null) => weight.set(currency, (weight.get(currency) ?? new Decimal(0)).plus(new Decimal(effective ?? 0).abs()));
  for (const r of rows) add(r.currency, r.effective);
  if (!rows.length) for (const [c, r] of [...mtdByCurrency, ...lastByCurrency]) add(c, r.effective);
  const currencies = [...weight.entries()].sort(([a, x], [b, y]) => y.comparedTo(x) || a.localeCompare(b)).map(([c]) => c);
  const currency = currencies[0] ?? 'USD';
  const inCurrency = rows.filter((r) => r.currency === currency);
  const total = {
    billed: inCurrency.reduce((sum, r) => sum.plus(r.billed ?? 0), new Decimal(0)).toFixed(),
    effective: inCurrency.reduce((sum, r) => sum.plus(r.effective ?? 0), new Decimal(0)).toFixed(),
  };
  const monthToDate = money(mtdByCurrency.get(currency));
  return {
    currency,
    currencies,
    start: filters.start,
    end: filters.end,
    totals: rows.map((r) => ({ provider: r.provider, currency: r.currency, ...money(r) })),
    total: money(total),
    monthToDate,
    forecastMonthEnd: {
      billedCost: forecastMonthEnd(monthToDate.billedCost, now),
      effectiveCost: forecastMonthEnd(monthToDate.effectiveCost, now),
      method: FORECAST_METHOD,
    },
    lastMonth: money(lastByCurrency.get(currency)),
    rowCount: rows.reduce((n, r) => n + Number(r.n), 0),
  };
}

export interface BreakdownCell {
  key: string;
  label: string;
  billedCost: string;
  effectiveCost: string;
}
export interface CostBreakdown {
  currency: string;
  currencies: string[];
  groupBy: CostDimension;
  pivot: CostDimension | null;
  columns: { key: string; label: string }[];
  rows: (BreakdownCell & { cells: Record<string, Money> })[];
  total: Money;
  daily: { day: string; billedCost: string; effectiveCost: string }[];
  /** What the cells were read from ('resourceRollup': CostResourceRollup for some leaves, raw rows for the rest). */
  source: Grain | 'resourceRollup';
}

/**
 * Human labels for dimension keys (project names, VM names); keys stay the filter values. VM names
 * are read from the rows the breakdown summed (`where`: the same pruned leaves), not from every
 * partition: a lookup by resourceId over all months is what made the resource breakdown slow.
 */
async function labelsFor(db: Db, dim: CostDimension, keys: string[], { from, where }: Source): Promise<Map<string, string>> {
  const labels = new Map<string, string>();
  const real = keys.filter(Boolean);
  if (dim === 'project' && real.length) {
    for (const p of await db.project.findMany({ where: { id: { in: real } }, select: { id: true, name: true } })) labels.set(p.id, p.name);
  }
  if (dim === 'resource' && real.length) {
    // Per resource, a row with a name wins (a linked VM's name first, then the file's ResourceName).
    const vms = await db.$queryRaw<{ resourceId: string; name: string | null }[]>`
      SELECT DISTINCT ON (c."resourceId") c."resourceId", COALESCE(v."name", c."resourceName") AS name
      FROM (SELECT "resourceId", "vmId", "resourceName" FROM ${from} ${where} AND "resourceId" IN (${Prisma.join(real.slice(0, 500))})) c
      LEFT JOIN "Vm" v ON v."id" = c."vmId"
      ORDER BY c."resourceId", v."name" IS NULL, c."resourceName" IS NULL`;
    for (const v of vms) if (v.name) labels.set(v.resourceId, `${v.name}`);
  }
  for (const k of keys) if (!labels.has(k)) labels.set(k, k === '' ? (dim === 'project' ? 'Unallocated' : '(none)') : k);
  return labels;
}

/**
 * The breakdown's cells, only for the `limit` largest rows (by effective cost, then key): grouping
 * and ranking run in SQL, so a resource breakdown hands back a few hundred sums instead of one per
 * resource (tens of thousands, each parsed and sorted as a Decimal in JS). Null and '' keys are one
 * key ('') as the page shows them, so the ranking and the join back to the cells need no NULL logic.
 * COLLATE "C": the grouping sort compares bytes (abbreviated keys) instead of calling the locale's
 * collation per comparison; the order only breaks ties at the cut, and the page re-sorts by label.
 */
type Cell = SumRow & { g: string; p: string };

async function topCells(db: Db, source: Prisma.Sql, where: Prisma.Sql, g: Prisma.Sql, p: Prisma.Sql | null, limit: number): Promise<Cell[]> {
  if (!p) {
    return db.$queryRaw<Cell[]>`
      SELECT COALESCE(${g}, '') COLLATE "C" AS g, '' AS p, sum("billedCost")::text AS billed, sum("effectiveCost")::text AS effective
      FROM ${source} ${where} GROUP BY 1 ORDER BY sum("effectiveCost") DESC, 1 LIMIT ${limit}`;
  }
  return db.$queryRaw<Cell[]>`
    WITH c AS MATERIALIZED (
      SELECT COALESCE(${g}, '') COLLATE "C" AS g, COALESCE(${p}, '') COLLATE "C" AS p, sum("billedCost") AS billed, sum("effectiveCost") AS effective
      FROM ${source} ${where} GROUP BY 1, 2
    ), top AS (SELECT g FROM c GROUP BY g ORDER BY sum(effective) DESC, g LIMIT ${limit})
    SELECT c.g, c.p, c.billed::text AS billed, c.effective::text AS effective FROM c JOIN top USING (g)`;
}

/** COLLATE "C" order: UTF-8 bytes (JS's < compares UTF-16 units, which differ above U+FFFF). */
export const byteOrder = (x: string, y: string) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8'));

/** 2^-48: the float8 ranking's error-bound factor (see exactTopFromCandidates). */
export const RANK_BOUND_FACTOR = 2 ** -48;

/**
 * The exact top `limit` (effective desc, then key in byte order) from a float8 ranking, or null when
 * the float8 sums cannot prove it (the caller then ranks in numeric, as before).
 *
 * Each group g has a = its float8 sum of effectiveCost::float8, m = the float8 sum of those terms'
 * magnitudes, n = its term count, and an upper bound U = a + m·(n+2)·2^-48 (float8). The ranking
 * takes the C groups with the largest U (`candidates`, their `exact` numeric sums read afterwards)
 * and `nextUpper`, the (C+1)-th largest U (null: no group was left out).
 *
 * Why U bounds the exact sum X = Σx_i. The terms x_i are numeric(65,30) (|x| < 10^35, non-zero |x| ≥
 * 10^-30: no float8 overflow or underflow); x_i::float8 is correctly rounded, f_i = x_i(1+δ), |δ| ≤ u =
 * 2^-53; a is the float8 sum of the f_i in any order or tree (hash, parallel partials), so |a − Σf_i| ≤
 * γ(n−1)·Σ|f_i| with γ(k) = ku/(1−ku), and m ≥ (1−γ(n−1))·Σ|f_i|. For n < 2^40 that gives
 * |a − X| ≤ u·Σ|x_i| + γ(n−1)·Σ|f_i| ≤ (n+1)·u·(1+2^-12)·Σ|f_i| ≤ (n+2)·m·2^-52: U's term is 16× that,
 * so its own float8 rounding (a few u relative to |a| + the term, while the term ≥ 2^-47·|a|) and
 * the decimal reading of its shortest round-trip string (< u·|U|) cannot take U below X.
 *
 * Every group left out has X ≤ its U ≤ nextUpper. If the limit-th candidate in exact order has an
 * exact sum strictly above nextUpper, every group left out is strictly below it: the true top `limit`
 * is among the candidates, ordered by the same sums and the same byte-order tie-break as the numeric
 * ranking. Otherwise (a tie or near-tie at the cut spanning past the candidates, NaN) null.
 */
export function exactTopFromCandidates(
  candidates: readonly string[],
  exact: ReadonlyMap<string, InstanceType<typeof Decimal>>,
  nextUpper: number | null,
  limit: number,
): string[] | null {
  const sorted = candidates.map((g) => ({ g, v: exact.get(g) ?? new Decimal(0) })).sort((x, y) => y.v.comparedTo(x.v) || byteOrder(x.g, y.g));
  if (sorted.some((c) => c.v.isNaN())) return null;
  const top = sorted.slice(0, limit).map((c) => c.g);
  if (nextUpper === null) return top; // no group left out
  if (!Number.isFinite(nextUpper) || sorted.length < limit) return null;
  return sorted[limit - 1]!.v.greaterThan(new Decimal(nextUpper.toString())) ? top : null;
}

/**
 * topCells for a breakdown by resource without a pivot. Leaves the resource rollup stands in for
 * (`rolled`: the range holds every filtered row of the leaf; only when no filter needs raw rows,
 * `rollupWhere`) contribute their rollup rows — per resource and dimension combination, the numeric
 * sums of exactly those raw rows — the other leaves their raw rows, in the same statement.
 * Ranking: a numeric sum per group is the cost of grouping tens of thousands of resources (its
 * aggregate state is allocated per group: 60 → 35–45 ms for one account's month of rollup rows or a
 * week of raw rows), so groups are ranked by float8 sums with an error bound, then the candidates'
 * exact sums (billed and effective, numeric, through the resourceId / rollup index) decide the order;
 * exactTopFromCandidates proves the cut or the ranking is redone in numeric (the previous path). One
 * grouping pass: candidates by upper bound (a CTE for a second pass over the groups cost ~10 ms). The
 * labels are read alongside. work_mem: the hash table of ~50k groups outgrows the default 4 MB × 2 and
 * spills in batches; 16 MB for that statement (transaction-local) keeps it in memory.
 */
async function topResources(db: Db, raw: Source, rollupWhere: Prisma.Sql | null, limit: number): Promise<{ cells: Cell[]; labels: Map<string, string>; rolled: boolean }> {
  const leaves = raw.leaves ?? [];
  const rolled = rollupWhere ? leaves.filter((l) => l.rolled) : [];
  const rest = leaves.filter((l) => !rolled.includes(l));
  const rollupRows = (extra: Prisma.Sql) => sql`
    SELECT "resourceKey" AS g, "billedCost", "effectiveCost" FROM "CostResourceRollup" ${rollupWhere ?? sql`WHERE FALSE`}
    AND ("billingMonth", "scopeKey") IN (${Prisma.join(rolled.map((l) => sql`(${day(l.m)}::date, ${l.s})`))})${extra}`;
  const rawRows = (extra: Prisma.Sql) => sql`SELECT COALESCE("resourceId", '') AS g, "billedCost", "effectiveCost" FROM ${leafUnion(rest)} ${raw.where}${extra}`;
  const from = (extra: Prisma.Sql, rawExtra: Prisma.Sql): Prisma.Sql => {
    if (!rolled.length) return sql`(SELECT COALESCE("resourceId", '') AS g, "billedCost", "effectiveCost" FROM ${raw.from} ${raw.where}${rawExtra}) c`;
    return rest.length ? sql`(${rollupRows(extra)} UNION ALL ${rawRows(rawExtra)}) c` : sql`(${rollupRows(extra)}) c`;
  };
  /** The rows of the given keys only (rollup index on resourceKey, leaf index on resourceId). */
  const only = (keys: string[]) => {
    const ids = keys.filter(Boolean);
    const match = [...(ids.length ? [sql`"resourceId" IN (${Prisma.join(ids)})`] : []), ...(ids.length < keys.length ? [sql`"resourceId" IS NULL`, sql`"resourceId" = ''`] : [])];
    return from(sql` AND "resourceKey" IN (${Prisma.join(keys)})`, sql` AND (${Prisma.join(match, ' OR ')})`);
  };
  const exactSums = (keys: string[]) => db.$queryRaw<{ g: string; billed: string | null; effective: string | null }[]>`
    SELECT g COLLATE "C" AS g, sum("billedCost")::text AS billed, sum("effectiveCost")::text AS effective FROM ${only(keys)} GROUP BY 1`;
  const size = 2 * limit + 20;
  // OFFSET 0 keeps the cast to float8 computed once per row (a flattened subquery casts per aggregate).
  const [, ranked] = await db.$transaction([
    db.$queryRaw`SELECT set_config('work_mem', '16MB', true)`,
    db.$queryRaw<{ g: string; u: number }[]>`
      SELECT g, a + m * (n + 2) * ${RANK_BOUND_FACTOR}::float8 AS u
      FROM (SELECT g, sum(f) AS a, sum(abs(f)) AS m, count(*) AS n
            FROM (SELECT g COLLATE "C" AS g, "effectiveCost"::float8 AS f FROM ${from(sql``, sql``)} OFFSET 0) x GROUP BY 1) y
      ORDER BY 2 DESC, 1 LIMIT ${size + 1}`,
  ]);
  if (!ranked.length) return { cells: [], labels: new Map(), rolled: rolled.length > 0 };
  const candidateKeys = ranked.slice(0, size).map((r) => r.g);
  const nextUpper = ranked.length > size ? Number(ranked[size]!.u) : null;
  const [sums, candidateLabels] = await Promise.all([
    exactSums(candidateKeys),
    candidateKeys.length <= 500 ? labelsFor(db, 'resource', candidateKeys, raw) : null,
  ]);
  const byKey = new Map(sums.map((r) => [r.g, r]));
  const exact = new Map(sums.map((r) => [r.g, new Decimal(r.effective ?? 0)]));
  let top = exactTopFromCandidates(candidateKeys, exact, nextUpper, limit);
  let cells: Cell[];
  if (top) {
    cells = top.map((g) => ({ g, p: '', effective: byKey.get(g)?.effective ?? null, billed: byKey.get(g)?.billed ?? null }));
  } else {
    // Not provable from the float8 sums: rank in numeric (exact), billed for the top only.
    const [, exactRanked] = await db.$transaction([
      db.$queryRaw`SELECT set_config('work_mem', '16MB', true)`,
      db.$queryRaw<{ g: string; effective: string | null }[]>`
        SELECT g COLLATE "C" AS g, sum("effectiveCost")::text AS effective FROM ${from(sql``, sql``)} GROUP BY 1 ORDER BY sum("effectiveCost") DESC, 1 LIMIT ${limit}`,
    ]);
    top = exactRanked.map((r) => r.g);
    const billed = new Map((await exactSums(top)).map((r) => [r.g, r.billed]));
    cells = exactRanked.map((r) => ({ g: r.g, p: '', effective: r.effective, billed: billed.get(r.g) ?? null }));
  }
  const labels = candidateLabels && top.every((g) => candidateLabels.has(g)) ? candidateLabels : await labelsFor(db, 'resource', top, raw);
  return { cells, labels, rolled: rolled.length > 0 };
}

export async function getCostBreakdown(
  db: Db,
  scope: CostScope,
  filters: CostFilters,
  options: { groupBy: CostDimension; pivot?: CostDimension; tagKey?: string; limit?: number },
): Promise<CostBreakdown> {
  if (filters.projectId) assertCostProjectAccess(scope, filters.projectId);
  const dims = [options.groupBy, options.pivot];
  const raw = needsRaw(filters, dims);
  // The total and the daily trend depend on the filters only: from the rollup unless a filter needs
  // raw rows (a resource or tag dimension alone does not), exact either way.
  const rawTotals = needsRaw(filters, []);
  const tagKey = options.tagKey;
  // A breakdown by resource alone may read the resource rollup for the leaves the range holds whole,
  // unless a filter needs raw rows (resource, VM, tag value: not rolled up).
  const byResource = options.groupBy === 'resource' && !options.pivot && !rawTotals;
  // A breakdown by (or filtered on) a rolled-up tag reads the tag rollup; else, or when a leaf in the
  // range lacks that key, raw rows. The check runs alongside the currency query.
  const viaTags = raw && tagRollupCandidate(filters, dims, tagKey) ? tagRollupCovers(db, scope, filters, tagKey) : Promise.resolve(false);
  const [currencies, cellsGrain, rawSource] = await Promise.all([
    currenciesFor(db, scope, filters),
    viaTags.then((covered): Grain => (covered ? 'tagRollup' : raw ? 'raw' : 'rollup')),
    raw ? viaTags.then((covered) => (covered ? null : sourceFor(db, scope, filters, true, byResource))) : null,
  ]);
  const currency = currencies[0] ?? 'USD';
  const inCurrency = (s: Source): Source => ({ ...s, where: sql`${s.where} AND "billingCurrency" = ${currency}` });
  const sources: Record<Grain, () => Source> = {
    rollup: () => inCurrency({ from: sql`"CostDailyRollup"`, where: baseWhere(scope, filters, false) }),
    tagRollup: () => inCurrency(tagRollupSource(scope, filters, tagKey ?? '')),
    raw: () => inCurrency(rawSource!),
  };
  // A tag filter alone needs raw rows for the totals, unless the tag rollup answers it (same key).
  const totalsGrain: Grain = !rawTotals ? 'rollup' : cellsGrain === 'tagRollup' ? 'tagRollup' : 'raw';
  const cellsFrom = sources[cellsGrain]();
  const totalsFrom = totalsGrain === cellsGrain ? cellsFrom : sources[totalsGrain]();
  const g = dimensionExpr(options.groupBy, cellsGrain, tagKey);
  const p = options.pivot ? dimensionExpr(options.pivot, cellsGrain, tagKey) : null;
  const limit = Math.min(options.limit ?? 200, 1000);
  const dayExpr = totalsGrain === 'raw' ? sql`"chargePeriodStart"::date` : sql`"day"`;
  const start = asDate(filters.start);
  const end = asDate(filters.end);
  const rollupWhere = byResource ? sql`${baseWhere(scope, filters, false, false)} AND "billingCurrency" = ${currency}` : null;
  const [top, dailyRows] = await Promise.all([
    options.groupBy === 'resource' && !p && cellsGrain === 'raw'
      ? topResources(db, cellsFrom, rollupWhere, limit)
      : topCells(db, cellsFrom.from, cellsFrom.where, g, p, limit).then((cells) => ({ cells, labels: null, rolled: false })),
    // Every row falls on one trend day, so the total is the sum of the days (one scan, not two).
    db.$queryRaw<(SumRow & { day: Date })[]>`
      SELECT GREATEST(${dayExpr}, ${start}::date) AS day, sum("billedCost")::text AS billed, sum("effectiveCost")::text AS effective
      FROM ${totalsFrom.from} ${totalsFrom.where} GROUP BY 1 ORDER BY 1`,
  ]);
  const cells = top.cells;
  const byRow = new Map<string, { billed: InstanceType<typeof Decimal>; effective: InstanceType<typeof Decimal>; cells: Record<string, Money> }>();
  const columnKeys = new Set<string>();
  for (const c of cells) {
    columnKeys.add(c.p);
    const row = byRow.get(c.g) ?? { billed: new Decimal(0), effective: new Decimal(0), cells: {} };
    row.billed = row.billed.plus(c.billed ?? 0);
    row.effective = row.effective.plus(c.effective ?? 0);
    row.cells[c.p] = money(c);
    byRow.set(c.g, row);
  }
  const [rowLabels, colLabels] = await Promise.all([
    top.labels ?? labelsFor(db, options.groupBy, [...byRow.keys()], cellsFrom),
    options.pivot ? labelsFor(db, options.pivot, [...columnKeys], cellsFrom) : new Map([['', 'Total']]),
  ]);
  const rows = [...byRow.entries()]
    .map(([key, r]) => ({
      key,
      label: rowLabels.get(key) ?? key,
      billedCost: formatDecimal(r.billed.toFixed()),
      effectiveCost: formatDecimal(r.effective.toFixed()),
      sortBy: r.effective,
      cells: r.cells,
    }))
    .sort((a, b) => b.sortBy.comparedTo(a.sortBy) || a.label.localeCompare(b.label))
    .map(({ sortBy: _sortBy, ...rest }) => rest);
  const total = dailyRows.reduce(
    (sum, d) => ({ billed: sum.billed.plus(d.billed ?? 0), effective: sum.effective.plus(d.effective ?? 0) }),
    { billed: new Decimal(0), effective: new Decimal(0) },
  );
  // Every day of the range appears in the trend (zero when nothing was charged).
  const days = Math.min(400, Math.max(0, Math.round((end.getTime() - start.getTime()) / DAY_MS)));
  const dailyMap = new Map(dailyRows.map((d) => [day(d.day), money(d)]));
  const daily = Array.from({ length: days }, (_, i) => {
    const d = day(new Date(start.getTime() + i * DAY_MS));
    return { day: d, ...(dailyMap.get(d) ?? { billedCost: '0.00', effectiveCost: '0.00' }) };
  });
  return {
    currency,
    currencies,
    groupBy: options.groupBy,
    pivot: options.pivot ?? null,
    columns: [...columnKeys].sort().map((key) => ({ key, label: colLabels.get(key) ?? key })),
    rows,
    total: money({ billed: total.billed.toFixed(), effective: total.effective.toFixed() }),
    daily,
    source: top.rolled ? 'resourceRollup' : cellsGrain,
  };
}

export interface CostLineItem {
  id: string;
  chargePeriodStart: string;
  chargePeriodEnd: string;
  providerName: string;
  billingAccountId: string | null;
  subAccountId: string | null;
  regionId: string | null;
  serviceCategory: string | null;
  serviceName: string | null;
  chargeCategory: string;
  chargeDescription: string | null;
  resourceId: string | null;
  resourceName: string | null;
  vmId: string | null;
  /** The linked inventory VM's name (cost files often carry only the provider's resource id). */
  vmName: string | null;
  projectId: string | null;
  billedCost: string;
  effectiveCost: string;
  billingCurrency: string;
  tags: Record<string, string>;
}

/**
 * The exact number of line items: the rollup's row counts when no filter needs raw rows (each raw
 * row is counted once under its start day, with the same overlap rule), else count(*) of the rows.
 */
async function countLineItems(db: Db, scope: CostScope, filters: CostFilters, raw: Source): Promise<{ n: bigint | null }[]> {
  if (needsRaw(filters, [])) return db.$queryRaw`SELECT count(*) AS n FROM ${raw.from} ${raw.where}`;
  return db.$queryRaw`SELECT sum("rowCount")::bigint AS n FROM "CostDailyRollup" ${baseWhere(scope, filters, false)}`;
}

export async function listCostLineItems(
  db: Db,
  scope: CostScope,
  filters: CostFilters,
  page: { page: number; pageSize: number },
): Promise<{ items: CostLineItem[]; total: number; page: number; pageSize: number }> {
  if (filters.projectId) assertCostProjectAccess(scope, filters.projectId);
  const source = await sourceFor(db, scope, filters, true);
  const offset = (page.page - 1) * page.pageSize;
  const [items, count] = await Promise.all([
    db.$queryRaw<(Omit<CostLineItem, 'billedCost' | 'effectiveCost' | 'chargePeriodStart' | 'chargePeriodEnd'> & {
      billedCost: string; effectiveCost: string; chargePeriodStart: Date; chargePeriodEnd: Date;
    })[]>`
      SELECT c."id", c."chargePeriodStart", c."chargePeriodEnd", c."providerName", c."billingAccountId", c."subAccountId",
             COALESCE(c."regionId", c."regionName") AS "regionId", c."serviceCategory", c."serviceName", c."chargeCategory", c."chargeDescription",
             c."resourceId", c."resourceName", c."vmId", v."name" AS "vmName", c."projectId", c."billedCost"::text AS "billedCost",
             c."effectiveCost"::text AS "effectiveCost", c."billingCurrency", c."tags"
      FROM (SELECT * FROM ${source.from} ${source.where}
            ORDER BY "chargePeriodStart" DESC, "effectiveCost" DESC, "id"
            LIMIT ${page.pageSize} OFFSET ${offset}) c
      LEFT JOIN "Vm" v ON v."id" = c."vmId"
      ORDER BY c."chargePeriodStart" DESC, c."effectiveCost" DESC, c."id"`,
    countLineItems(db, scope, filters, source),
  ]);
  return {
    items: items.map((i) => ({
      ...i,
      chargePeriodStart: i.chargePeriodStart.toISOString(),
      chargePeriodEnd: i.chargePeriodEnd.toISOString(),
      billedCost: formatDecimal(i.billedCost),
      effectiveCost: formatDecimal(i.effectiveCost),
    })),
    total: Number(count[0]?.n ?? 0),
    page: page.page,
    pageSize: page.pageSize,
  };
}
