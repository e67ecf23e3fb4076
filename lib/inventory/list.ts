// listVms: filters × sort × keyset paging in SQL. The cursor carries the last row's sort value and
// id; the next page starts strictly after that pair in the same order, so a row that exists on both
// sides of a page boundary is never lost nor repeated, however many rows are added or removed
// meanwhile (only a row whose own sort value changes can move past the cursor). NULLs sort last
// ascending (first descending), as PostgreSQL's defaults for a (column, id) index scanned either way.
//
// Sorts by a joined name (owner, project, account) and by monthly cost are "segmented": no index on
// Vm orders by a name of another table, so instead of joining and top-N-sorting every matching row we
// walk the small joined table in (name, id) order and take each key's VMs with a LATERAL scan of
// Vm(fk, id) that stops at the page size; the order is (name, key id, vm id) and the cursor carries
// all three. Rows without a key (no owner / project / cost) form their own segment in id order, read
// only when the page is not full yet (ascending: after the named ones; descending: before them).
// Nullable columns (vcpus, memory, lease, ip) page the same way, each segment on its (column, id) index.
// Cost sorts walk VmMonthlyCost(monthlyCost, vmId) the same way (lib/inventory/cost-refresh.ts).
import { Prisma } from '@/generated/prisma/client';
import { ProviderKind, VmState } from '@/generated/prisma/enums';
import type { Principal } from '../auth/principal';
import { isAdmin } from '../auth/permissions';
import type { Db } from '../db/client';
import { ValidationError } from '../errors';
import { PriceCache, priceRows, type Unpriced } from './cost';
import type { DriftReason } from './drift';
import { type ListVmsQuery, type ListVmsResult, type SortKey, type SortValue, type VmFilter, type VmListItem } from './schemas';

type Cast = 'text' | 'int' | 'timestamp' | 'provider' | 'state' | 'numeric';
type ColumnSortKey = Exclude<SortKey, JoinedSortKey | 'cost'>;
type JoinedSortKey = 'owner' | 'project' | 'account';
/** Sorts by a joined table's name: the table, Vm's foreign key to it, and whether that key may be null. */
const JOINED_SORTS: Record<JoinedSortKey, { table: string; fk: string; nullable: boolean }> = {
  owner: { table: '"User"', fk: 'v."ownerId"', nullable: true },
  project: { table: '"Project"', fk: 'v."projectId"', nullable: true },
  account: { table: '"ProviderAccount"', fk: 'v."providerAccountId"', nullable: false },
};
const isJoined = (key: SortKey): key is JoinedSortKey => key in JOINED_SORTS;

const SORT_SQL: Record<SortKey, { expr: string; nullable: boolean; cast: Cast }> = {
  name: { expr: 'v."name"', nullable: false, cast: 'text' },
  provider: { expr: 'v."providerKind"', nullable: false, cast: 'provider' },
  account: { expr: 'a."name"', nullable: false, cast: 'text' },
  region: { expr: 'v."regionCode"', nullable: false, cast: 'text' },
  size: { expr: 'v."size"', nullable: false, cast: 'text' },
  vcpus: { expr: 'v."vcpus"', nullable: true, cast: 'int' },
  memory: { expr: 'v."memoryMiB"', nullable: true, cast: 'int' },
  state: { expr: 'v."state"', nullable: false, cast: 'state' },
  owner: { expr: 'u."name"', nullable: true, cast: 'text' },
  project: { expr: 'p."name"', nullable: true, cast: 'text' },
  lease: { expr: 'v."leaseExpiresAt"', nullable: true, cast: 'timestamp' },
  ip: { expr: 'v."privateIp"', nullable: true, cast: 'text' },
  firstSeen: { expr: 'v."firstSeenAt"', nullable: false, cast: 'timestamp' },
  lastSeen: { expr: 'v."lastSeenAt"', nullable: false, cast: 'timestamp' },
  cost: { expr: 'c."monthlyCost"', nullable: true, cast: 'numeric' },
};

const CAST_SQL: Record<Cast, string> = { text: 'text', int: 'int', timestamp: 'timestamp(3)', provider: '"ProviderKind"', state: '"VmState"', numeric: 'numeric' };

export function parseSort(sort: SortValue): { key: SortKey; desc: boolean } {
  const desc = sort.startsWith('-');
  const key = (desc ? sort.slice(1) : sort) as SortKey;
  return { key, desc };
}

interface Cursor {
  s: SortValue;
  v: string | number | null;
  id: string;
  /** Joined sorts: the id of the owner / project / account the last row belongs to (null in the null segment). */
  k?: string | null;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(raw: string, sort: SortValue): Cursor {
  const invalid = () => new ValidationError([{ field: 'cursor', message: 'The cursor is invalid or belongs to another sort order; start again without it.' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const c = parsed as Partial<Cursor> | null;
  if (!c || typeof c !== 'object' || c.s !== sort || typeof c.id !== 'string' || c.id.length > 100) throw invalid();
  const { key } = parseSort(sort);
  const meta = SORT_SQL[key];
  const v = c.v ?? null;
  // Every value must cast cleanly in SQL: a forged cursor answers 400, never a database error.
  const plainText = (x: unknown, max: number) => typeof x === 'string' && x.length <= max && !x.includes('\u0000');
  if (v !== null) {
    if (meta.cast === 'int' ? typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1 : !plainText(v, 1000)) throw invalid();
    const text = String(v);
    if (meta.cast === 'timestamp' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(text)) throw invalid();
    if (meta.cast === 'numeric' && !/^-?\d{1,16}(\.\d{1,4})?$/.test(text)) throw invalid();
    if (meta.cast === 'provider' && !(Object.values(ProviderKind) as string[]).includes(text)) throw invalid();
    if (meta.cast === 'state' && !(Object.values(VmState) as string[]).includes(text)) throw invalid();
  }
  if (!plainText(c.id, 100)) throw invalid();
  const k = c.k ?? null;
  if (isJoined(key) && (v === null) !== (k === null)) throw invalid();
  if (k !== null && !plainText(k, 100)) throw invalid();
  return { s: sort, v, id: c.id, k };
}

/** Owns at least one project: may see (and claim) unmanaged VMs. */
export function ownsAProject(principal: Principal): boolean {
  return Object.values(principal.projects).some((role) => role === 'owner');
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** The WHERE conditions of a filter, already limited to what the principal may see. */
export function filterConditions(principal: Principal, filter: VmFilter): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  // Deleted VMs stay in the table (history) but show only when asked for by state.
  if (filter.state === 'deleted') where.push(Prisma.sql`v."state" = 'deleted'`);
  else where.push(Prisma.sql`v."deletedAt" IS NULL AND v."state" <> 'deleted'`);
  if (!isAdmin(principal)) {
    const mine = Prisma.sql`v."projectId" = ANY(${Object.keys(principal.projects)}::text[])`;
    // Owners of a project also see unmanaged VMs (no project yet), read-only, so they can claim them.
    where.push(ownsAProject(principal) ? Prisma.sql`(${mine} OR (v."projectId" IS NULL AND v."managed" = false))` : mine);
  }
  if (filter.provider) where.push(Prisma.sql`v."providerKind" = ${filter.provider}::"ProviderKind"`);
  if (filter.account) where.push(Prisma.sql`v."providerAccountId" = ${filter.account}`);
  if (filter.region) where.push(Prisma.sql`v."regionCode" = ${filter.region}`);
  if (filter.state && filter.state !== 'deleted') where.push(Prisma.sql`v."state" = ${filter.state}::"VmState"`);
  if (filter.project) where.push(Prisma.sql`v."projectId" = ${filter.project}`);
  if (filter.owner) where.push(Prisma.sql`v."ownerId" = ${filter.owner}`);
  if (filter.managed !== undefined) where.push(Prisma.sql`v."managed" = ${filter.managed}`);
  if (filter.drift !== undefined) where.push(Prisma.sql`v."drift" = ${filter.drift}`);
  if (filter.leaseBefore) where.push(Prisma.sql`v."leaseExpiresAt" < ${new Date(filter.leaseBefore).toISOString()}::timestamp(3)`);
  if (filter.tag) {
    const at = filter.tag.indexOf('=');
    if (at < 0) where.push(Prisma.sql`v."tags" ? ${filter.tag}`);
    else where.push(Prisma.sql`v."tags" @> jsonb_build_object(${filter.tag.slice(0, at).trim()}::text, ${filter.tag.slice(at + 1).trim()}::text)`);
  }
  if (filter.costMin !== undefined || filter.costMax !== undefined) {
    const min = filter.costMin === undefined ? Prisma.empty : Prisma.sql` AND cf."monthlyCost" >= ${filter.costMin}::numeric`;
    const max = filter.costMax === undefined ? Prisma.empty : Prisma.sql` AND cf."monthlyCost" <= ${filter.costMax}::numeric`;
    where.push(Prisma.sql`EXISTS (SELECT 1 FROM "VmMonthlyCost" cf WHERE cf."vmId" = v."id"${min}${max})`);
  }
  if (filter.q) {
    const like = `%${escapeLike(filter.q)}%`;
    where.push(Prisma.sql`(v."name" ILIKE ${like} OR v."providerId" ILIKE ${like} OR v."privateIp" ILIKE ${like} OR v."publicIp" ILIKE ${like})`);
  }
  return where;
}

function keysetCondition(key: SortKey, desc: boolean, cursor: Cursor): Prisma.Sql {
  const meta = SORT_SQL[key];
  const expr = Prisma.raw(meta.expr);
  const value = Prisma.sql`${cursor.v}::${Prisma.raw(CAST_SQL[meta.cast])}`;
  if (!desc) {
    if (cursor.v === null) return Prisma.sql`(${expr} IS NULL AND v."id" > ${cursor.id})`;
    const after = Prisma.sql`(${expr}, v."id") > (${value}, ${cursor.id})`;
    return meta.nullable ? Prisma.sql`(${after} OR ${expr} IS NULL)` : after;
  }
  if (cursor.v === null) return Prisma.sql`(${expr} IS NOT NULL OR v."id" < ${cursor.id})`;
  return Prisma.sql`(${expr}, v."id") < (${value}, ${cursor.id})`;
}

function orderBy(key: SortKey, desc: boolean): Prisma.Sql {
  const expr = SORT_SQL[key].expr;
  return Prisma.raw(desc ? `${expr} DESC NULLS FIRST, v."id" DESC` : `${expr} ASC NULLS LAST, v."id" ASC`);
}

const fromSql = (source: Prisma.Sql) => Prisma.sql`FROM ${source}
  JOIN "ProviderAccount" a ON a."id" = v."providerAccountId"
  LEFT JOIN "User" u ON u."id" = v."ownerId"
  LEFT JOIN "Project" p ON p."id" = v."projectId"
  LEFT JOIN "VmMonthlyCost" c ON c."vmId" = v."id"`;
const FROM = fromSql(Prisma.sql`"Vm" v`);

interface Row {
  id: string;
  name: string;
  providerKind: ProviderKind;
  providerId: string;
  providerAccountId: string;
  accountName: string;
  regionCode: string;
  zone: string | null;
  size: string;
  vcpus: number | null;
  memoryMiB: number | null;
  diskGiB: number | null;
  state: VmState;
  managed: boolean;
  drift: boolean;
  driftReasons: string[] | null;
  ownerId: string | null;
  ownerName: string | null;
  ownerEmail: string | null;
  projectId: string | null;
  projectKey: string | null;
  projectName: string | null;
  leaseExpiresAt: Date | null;
  privateIp: string | null;
  publicIp: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  deletedAt: Date | null;
  storedCost: string | null;
  storedCurrency: string | null;
  storedSource: string | null;
  sortValue: string | number | Date | null;
}

const SELECT = (sortExpr: string) => Prisma.sql`SELECT v."id", v."name", v."providerKind", v."providerId", v."providerAccountId", a."name" AS "accountName",
  v."regionCode", v."zone", v."size", v."vcpus", v."memoryMiB", v."diskGiB", v."state", v."managed", v."drift", v."driftReasons",
  v."ownerId", u."name" AS "ownerName", u."email" AS "ownerEmail", v."projectId", p."key" AS "projectKey", p."name" AS "projectName",
  v."leaseExpiresAt", v."privateIp", v."publicIp", v."firstSeenAt", v."lastSeenAt", v."deletedAt",
  c."monthlyCost"::text AS "storedCost", c."currency" AS "storedCurrency", c."source" AS "storedSource", ${Prisma.raw(sortExpr)} AS "sortValue"`;

function toItem(row: Row): Unpriced {
  return {
    id: row.id,
    name: row.name,
    providerKind: row.providerKind,
    providerId: row.providerId,
    accountId: row.providerAccountId,
    accountName: row.accountName,
    regionCode: row.regionCode,
    zone: row.zone,
    size: row.size,
    vcpus: row.vcpus,
    memoryMiB: row.memoryMiB,
    diskGiB: row.diskGiB,
    state: row.state,
    managed: row.managed,
    drift: row.drift,
    driftReasons: (row.driftReasons ?? []) as DriftReason[],
    owner: row.ownerId && row.ownerName !== null ? { id: row.ownerId, name: row.ownerName, email: row.ownerEmail ?? '' } : null,
    project: row.projectId && row.projectName !== null ? { id: row.projectId, key: row.projectKey ?? '', name: row.projectName } : null,
    leaseExpiresAt: row.leaseExpiresAt?.toISOString() ?? null,
    privateIp: row.privateIp,
    publicIp: row.publicIp,
    firstSeenAt: row.firstSeenAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    deletedAt: row.deletedAt?.toISOString() ?? null,
    stored: row.storedSource === null ? null : { amount: row.storedCost, currency: row.storedCurrency, source: row.storedSource },
  };
}

function cursorValue(value: Row['sortValue']): string | number | null {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  return value;
}

export function whereSql(conditions: Prisma.Sql[]): Prisma.Sql {
  return conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
}

/** One page of VMs, its cursor and the total matching the filters (not only this page). */
/**
 * How a page finds its rows. `walk`: along the sort's index, filtering as it goes — fast when matching
 * rows are dense in that order, but it reads past every non-matching entry (a filter whose rows all sort
 * late, or a segment it leaves empty: e.g. unmanaged VMs sorted by project). `filter-first`: the
 * filter's own index first (the subquery is fenced with OFFSET 0), then a top-N sort of at most
 * FILTER_FIRST_MAX_ROWS rows — bounded whatever the order. `auto` picks by the exact total.
 */
export type PageStrategy = 'auto' | 'walk' | 'filter-first';
export const FILTER_FIRST_MAX_ROWS = 12_000;

export async function listVms(db: Db, principal: Principal, query: ListVmsQuery, options: { strategy?: PageStrategy } = {}): Promise<ListVmsResult> {
  // The exact total first (mostly an index-only count): it decides how the page is read.
  const total = await countVms(db, principal, query);
  const strategy = options.strategy ?? 'auto';
  const filterFirst = strategy === 'filter-first' || (strategy === 'auto' && total <= FILTER_FIRST_MAX_ROWS);
  const page = await listVmsPage(db, principal, query, filterFirst);
  return { vms: await priceRows(db, page.items), nextCursor: page.nextCursor, total };
}

/** Exact count of the filtered rows; joins only matter for sorting, so the count needs the filters alone. */
export async function countVms(db: Db, principal: Principal, filter: VmFilter): Promise<number> {
  const rows = await db.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM "Vm" v ${whereSql(filterConditions(principal, filter))}`;
  return rows[0]?.total ?? 0;
}

/** Every matching VM in sort order, page by page (keyset), for the streamed CSV export. */
export async function* iterateVms(db: Db, principal: Principal, filter: VmFilter, sort: SortValue, pageSize = 2000): AsyncGenerator<VmListItem[]> {
  let cursor: string | undefined;
  const prices = new PriceCache(db);
  do {
    const page = await listVmsPage(db, principal, { ...filter, sort, limit: pageSize, cursor });
    if (page.items.length) yield await priceRows(db, page.items, prices);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

type PageQuery = Omit<ListVmsQuery, 'limit'> & { limit: number };
/** One row of a segmented sort: the VM, its sort value and (joined sorts) the key it belongs to. */
interface KeyRow {
  id: string;
  sortValue: Row['sortValue'];
  sortKey: string | null;
}

/** One segment of a segmented sort: a query for up to `limit` rows, or keys walked in growing batches. */
type Segment = ((limit: number) => Prisma.Sql) | KeyBatches;
interface KeyBatches {
  /** The next `take` keys (owner / project / account) in sort order after `after` (null: from the start). */
  keys: (after: { name: string; id: string } | null, take: number) => Prisma.Sql;
  /** Up to `limit` VMs of these keys, in sort order. */
  rows: (keyIds: string[], limit: number) => Prisma.Sql;
  start: { name: string; id: string } | null;
}
const isBatched = (segment: Segment): segment is KeyBatches => typeof segment !== 'function';

/** The queries of one page, in the order they run (EXPLAIN shows the same ones). */
function pageQueries(
  principal: Principal,
  query: PageQuery,
  filterFirst = false,
): { segmented: false; sql: Prisma.Sql } | { segmented: true; segments: Segment[] } {
  const { key, desc } = parseSort(query.sort);
  const cursor = query.cursor ? decodeCursor(query.cursor, query.sort) : null;
  const filterSql = Prisma.join(filterConditions(principal, query), ' AND ');
  // filter-first: every query below reads the filtered rows from this fenced subquery (no qual or
  // ORDER BY is pushed into it), so the page costs O(matching rows), never a long index walk.
  const vmSource = filterFirst ? Prisma.sql`(SELECT * FROM "Vm" v WHERE ${filterSql} OFFSET 0) v` : Prisma.sql`"Vm" v`;
  const filters = filterFirst ? Prisma.sql`TRUE` : filterSql;
  if (!isJoined(key) && key !== 'cost' && !SORT_SQL[key].nullable) {
    const conditions = [filters, ...(cursor ? [keysetCondition(key, desc, cursor)] : [])];
    return {
      segmented: false,
      sql: Prisma.sql`${SELECT(SORT_SQL[key as ColumnSortKey].expr)} ${fromSql(vmSource)} ${whereSql(conditions)} ORDER BY ${orderBy(key, desc)} LIMIT ${query.limit + 1}`,
    };
  }
  const dir = Prisma.raw(desc ? 'DESC' : 'ASC');
  const after = Prisma.raw(desc ? '<' : '>');
  const inNullSegment = cursor !== null && cursor.v === null;
  // The rows with no owner / project / cost, in id order.
  // Ordering by (fk, id) lets only the (fk, id) index serve the ORDER BY, so the planner takes it rather
  // than walking the primary key and filtering (seen with a user who owns no VM: 50k rows read per
  // page). In the LATERAL scan the key is written as a range (fk >= k.id AND fk <= k.id, i.e. equal):
  // with `fk = k.id` PostgreSQL drops the now-constant fk from the ORDER BY and the primary key fits again.
  const nullSegment = (nullCondition: Prisma.Sql, orderPrefix: Prisma.Sql) => (limit: number) =>
    Prisma.sql`SELECT v."id", NULL::text AS "sortValue", NULL::text AS "sortKey" FROM ${vmSource}
      WHERE ${nullCondition} AND ${filters} ${inNullSegment ? Prisma.sql`AND v."id" ${after} ${cursor.id}` : Prisma.empty}
      ORDER BY ${orderPrefix}v."id" ${dir} LIMIT ${limit}`;
  let named: Segment[];
  let nulls: ((limit: number) => Prisma.Sql) | null;
  if (isJoined(key)) {
    const join = JOINED_SORTS[key];
    const fk = Prisma.raw(join.fk);
    const table = Prisma.raw(join.table);
    // Keys are walked in batches of 1, 4, 16, … (sorted in a subquery that OFFSET 0 keeps from being
    // flattened, so the final ORDER BY is an incremental sort): a page the first key fills never runs
    // the LATERAL scan of the next key, which can be long when the filter leaves that key empty.
    const keyed: KeyBatches = {
      start: cursor?.k ? { name: String(cursor.v), id: cursor.k } : null,
      keys: (afterKey, take) => Prisma.sql`SELECT "id", "name" FROM ${table}
        ${afterKey ? Prisma.sql`WHERE ("name", "id") ${after} (${afterKey.name}::text, ${afterKey.id})` : Prisma.empty}
        ORDER BY "name" ${dir}, "id" ${dir} LIMIT ${take}`,
      rows: (keyIds, limit) => Prisma.sql`SELECT v."id", k."name" AS "sortValue", k."id" AS "sortKey"
        FROM (SELECT "id", "name" FROM ${table} WHERE "id" = ANY(${keyIds}::text[]) ORDER BY "name" ${dir}, "id" ${dir} OFFSET 0) k
        CROSS JOIN LATERAL (
          SELECT v."id" FROM "Vm" v WHERE ${fk} >= k."id" AND ${fk} <= k."id" AND ${filters}
          ORDER BY ${fk} ${dir}, v."id" ${dir} LIMIT ${limit}) v
        ORDER BY k."name" ${dir}, k."id" ${dir}, v."id" ${dir} LIMIT ${limit}`,
    };
    // The rest of the cursor's own key first, as a plain index range (fk = key AND id after the cursor),
    // then the keys after it: an `OR` of the two inside the LATERAL scan would re-read the key's rows
    // before the cursor on every page (deep pages of one big owner).
    const sameKey = cursor?.k
      ? (limit: number) => Prisma.sql`SELECT v."id", ${cursor.v}::text AS "sortValue", ${cursor.k}::text AS "sortKey" FROM "Vm" v
          WHERE ${fk} = ${cursor.k} AND v."id" ${after} ${cursor.id} AND ${filters}
          ORDER BY ${fk} ${dir}, v."id" ${dir} LIMIT ${limit}`
      : null;
    // filter-first: join the filtered rows to their keys and sort them; one row comparison is the cursor.
    const joined = (limit: number) => Prisma.sql`SELECT v."id", k."name" AS "sortValue", k."id" AS "sortKey"
      FROM ${vmSource} JOIN ${table} k ON k."id" = ${fk}
      ${cursor?.k ? Prisma.sql`WHERE (k."name", k."id", v."id") ${after} (${cursor.v}::text, ${cursor.k}, ${cursor.id})` : Prisma.empty}
      ORDER BY k."name" ${dir}, k."id" ${dir}, v."id" ${dir} LIMIT ${limit}`;
    named = filterFirst ? [joined] : sameKey ? [sameKey, keyed] : [keyed];
    nulls = join.nullable ? nullSegment(Prisma.sql`${fk} IS NULL`, Prisma.sql`${fk} ${dir}, `) : null;
  } else if (key !== 'cost') {
    // A nullable column: the same two segments, so no page needs an OR of "after the cursor" and
    // "IS NULL" (which no index serves: deep pages then re-read every row before the cursor).
    const meta = SORT_SQL[key];
    const expr = Prisma.raw(meta.expr);
    const cast = Prisma.raw(CAST_SQL[meta.cast]);
    named = [(limit) => Prisma.sql`SELECT v."id", ${expr} AS "sortValue", NULL::text AS "sortKey" FROM ${vmSource}
      WHERE ${expr} IS NOT NULL AND ${filters}
        ${cursor && cursor.v !== null ? Prisma.sql`AND (${expr}, v."id") ${after} (${cursor.v}::${cast}, ${cursor.id})` : Prisma.empty}
      ORDER BY ${expr} ${dir}, v."id" ${dir} LIMIT ${limit}`];
    nulls = nullSegment(Prisma.sql`${expr} IS NULL`, Prisma.sql`${expr} ${dir}, `);
  } else {
    named = [(limit) => Prisma.sql`SELECT v."id", c."monthlyCost"::text AS "sortValue", NULL::text AS "sortKey"
      FROM "VmMonthlyCost" c JOIN ${vmSource} ON v."id" = c."vmId"
      WHERE c."monthlyCost" IS NOT NULL AND ${filters}
        ${cursor && cursor.v !== null ? Prisma.sql`AND (c."monthlyCost", c."vmId") ${after} (${cursor.v}::numeric, ${cursor.id})` : Prisma.empty}
      ORDER BY c."monthlyCost" ${dir}, c."vmId" ${dir} LIMIT ${limit}`];
    nulls = nullSegment(Prisma.sql`NOT EXISTS (SELECT 1 FROM "VmMonthlyCost" c WHERE c."vmId" = v."id" AND c."monthlyCost" IS NOT NULL)`, Prisma.empty);
  }
  // NULLs last ascending, first descending; a cursor in the null segment never goes back to named rows.
  const segments = desc ? [...(nulls && (!cursor || inNullSegment) ? [nulls] : []), ...named] : [...(inNullSegment ? [] : named), ...(nulls ? [nulls] : [])];
  return { segmented: true, segments };
}

/** listVms without the count (the export does not need one per page). */
async function listVmsPage(db: Db, principal: Principal, query: PageQuery, filterFirst = false) {
  const plan = pageQueries(principal, query, filterFirst);
  const want = query.limit + 1;
  let rows: Row[];
  if (!plan.segmented) rows = await db.$queryRaw<Row[]>(plan.sql);
  else {
    const keys: KeyRow[] = [];
    for (const segment of plan.segments) {
      if (keys.length >= want) break;
      if (!isBatched(segment)) {
        keys.push(...(await db.$queryRaw<KeyRow[]>(segment(want - keys.length))));
        continue;
      }
      let afterKey = segment.start;
      for (let take = 1; keys.length < want; take = Math.min(take * 4, 1000)) {
        const batch = await db.$queryRaw<{ id: string; name: string }[]>(segment.keys(afterKey, take));
        if (!batch.length) break;
        keys.push(...(await db.$queryRaw<KeyRow[]>(segment.rows(batch.map((k) => k.id), want - keys.length))));
        afterKey = batch.at(-1)!;
        if (batch.length < take) break;
      }
    }
    const byId = new Map(
      keys.length
        ? (await db.$queryRaw<Row[]>`${SELECT('NULL')} ${FROM} WHERE v."id" = ANY(${keys.map((k) => k.id)}::text[])`).map((r) => [r.id, r])
        : [],
    );
    rows = keys.flatMap((k) => {
      const row = byId.get(k.id);
      return row ? [{ ...row, sortValue: k.sortValue, sortKey: k.sortKey }] : [];
    });
  }
  const page = rows.slice(0, query.limit);
  const last = page.at(-1) as (Row & { sortKey?: string | null }) | undefined;
  const { key } = parseSort(query.sort);
  return {
    items: page.map(toItem),
    nextCursor:
      rows.length > query.limit && last
        ? encodeCursor({ s: query.sort, v: cursorValue(last.sortValue), id: last.id, ...(isJoined(key) ? { k: last.sortKey ?? null } : {}) })
        : null,
  };
}

/** EXPLAIN (ANALYZE, BUFFERS) of the queries listVms runs for a page (and of its count), for the benchmark report. */
export async function explainListVms(db: Db, principal: Principal, query: ListVmsQuery): Promise<string> {
  const filterFirst = (await countVms(db, principal, query)) <= FILTER_FIRST_MAX_ROWS;
  const plan = pageQueries(principal, query, filterFirst);
  // A batched key walk is shown as its row query over the first 16 keys (what a page reads at most first).
  const firstKeys = async (segment: KeyBatches) => (await db.$queryRaw<{ id: string }[]>(segment.keys(segment.start, 16))).map((k) => k.id);
  const statements = plan.segmented
    ? await Promise.all(plan.segments.map(async (segment) => (isBatched(segment) ? segment.rows(await firstKeys(segment), query.limit + 1) : segment(query.limit + 1))))
    : [plan.sql];
  statements.push(Prisma.sql`SELECT count(*)::int AS total FROM "Vm" v ${whereSql(filterConditions(principal, query))}`);
  const out: string[] = [];
  for (const [index, statement] of statements.entries()) {
    const rows = await db.$queryRaw<{ 'QUERY PLAN': string }[]>`EXPLAIN (ANALYZE, BUFFERS) ${statement}`;
    const label = index === statements.length - 1 ? 'total count (runs first; it picks walk or filter-first)' : !plan.segmented ? 'page' : index === 0 ? 'page segment 1' : `page segment ${index + 1} (runs only if the page is not full yet)`;
    out.push(`-- ${label}${index === 0 ? (filterFirst ? ' [filter-first]' : ' [walk]') : ''}`, ...rows.map((r) => r['QUERY PLAN']));
  }
  return out.join('\n');
}
