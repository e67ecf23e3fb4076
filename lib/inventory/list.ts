// listVms: filters × sort × keyset paging in SQL. The cursor carries the last row's sort value and
// id; the next page starts strictly after that pair in the same order, so a row that exists on both
// sides of a page boundary is never lost nor repeated, however many rows are added or removed
// meanwhile (only a row whose own sort value changes can move past the cursor). NULLs sort last
// ascending (first descending), as PostgreSQL's defaults for a (column, id) index scanned either way.
import { Prisma } from '@/generated/prisma/client';
import type { ProviderKind, VmState } from '@/generated/prisma/enums';
import type { Principal } from '../auth/principal';
import { isAdmin } from '../auth/permissions';
import type { Db } from '../db/client';
import { ValidationError } from '../errors';
import { PriceCache, priceRows } from './cost';
import type { DriftReason } from './drift';
import { type ListVmsQuery, type ListVmsResult, type SortKey, type SortValue, type VmFilter, type VmListItem } from './schemas';

type Cast = 'text' | 'int' | 'timestamp' | 'provider' | 'state';
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
};

const CAST_SQL: Record<Cast, string> = { text: 'text', int: 'int', timestamp: 'timestamp(3)', provider: '"ProviderKind"', state: '"VmState"' };

export function parseSort(sort: SortValue): { key: SortKey; desc: boolean } {
  const desc = sort.startsWith('-');
  const key = (desc ? sort.slice(1) : sort) as SortKey;
  return { key, desc };
}

interface Cursor {
  s: SortValue;
  v: string | number | null;
  id: string;
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
  if (v !== null) {
    if (meta.cast === 'int' ? typeof v !== 'number' || !Number.isInteger(v) : typeof v !== 'string' || v.length > 1000) throw invalid();
    if (meta.cast === 'timestamp' && Number.isNaN(Date.parse(v as string))) throw invalid();
  }
  return { s: sort, v, id: c.id };
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
  if (!isAdmin(principal)) where.push(Prisma.sql`v."projectId" = ANY(${Object.keys(principal.projects)}::text[])`);
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

const FROM = Prisma.sql`FROM "Vm" v
  JOIN "ProviderAccount" a ON a."id" = v."providerAccountId"
  LEFT JOIN "User" u ON u."id" = v."ownerId"
  LEFT JOIN "Project" p ON p."id" = v."projectId"`;

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
  sortValue: string | number | Date | null;
}

const SELECT = (sortExpr: string) => Prisma.sql`SELECT v."id", v."name", v."providerKind", v."providerId", v."providerAccountId", a."name" AS "accountName",
  v."regionCode", v."zone", v."size", v."vcpus", v."memoryMiB", v."diskGiB", v."state", v."managed", v."drift", v."driftReasons",
  v."ownerId", u."name" AS "ownerName", u."email" AS "ownerEmail", v."projectId", p."key" AS "projectKey", p."name" AS "projectName",
  v."leaseExpiresAt", v."privateIp", v."publicIp", v."firstSeenAt", v."lastSeenAt", v."deletedAt", ${Prisma.raw(sortExpr)} AS "sortValue"`;

function toItem(row: Row): Omit<VmListItem, 'monthlyCost'> {
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
export async function listVms(db: Db, principal: Principal, query: ListVmsQuery): Promise<ListVmsResult> {
  const [page, totals] = await Promise.all([
    listVmsPage(db, principal, query),
    // Joins only matter for sorting; the count needs the filters alone.
    db.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM "Vm" v ${whereSql(filterConditions(principal, query))}`,
  ]);
  return { vms: await priceRows(db, page.items), nextCursor: page.nextCursor, total: totals[0]?.total ?? 0 };
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

/** listVms without the count (the export does not need one per page). */
async function listVmsPage(db: Db, principal: Principal, query: Omit<ListVmsQuery, 'limit'> & { limit: number }) {
  const { key, desc } = parseSort(query.sort);
  const conditions = filterConditions(principal, query);
  if (query.cursor) conditions.push(keysetCondition(key, desc, decodeCursor(query.cursor, query.sort)));
  const rows = await db.$queryRaw<Row[]>`${SELECT(SORT_SQL[key].expr)} ${FROM} ${whereSql(conditions)} ORDER BY ${orderBy(key, desc)} LIMIT ${query.limit + 1}`;
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    nextCursor: rows.length > query.limit && last ? encodeCursor({ s: query.sort, v: cursorValue(last.sortValue), id: last.id }) : null,
  };
}


/** EXPLAIN (ANALYZE, BUFFERS) of the page query listVms runs, for the benchmark report. */
export async function explainListVms(db: Db, principal: Principal, query: ListVmsQuery): Promise<string> {
  const { key, desc } = parseSort(query.sort);
  const conditions = filterConditions(principal, query);
  if (query.cursor) conditions.push(keysetCondition(key, desc, decodeCursor(query.cursor, query.sort)));
  const rows = await db.$queryRaw<{ 'QUERY PLAN': string }[]>`EXPLAIN (ANALYZE, BUFFERS) ${SELECT(SORT_SQL[key].expr)} ${FROM} ${whereSql(conditions)} ORDER BY ${orderBy(key, desc)} LIMIT ${query.limit + 1}`;
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}
