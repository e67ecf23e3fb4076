// Showback: one CSV per month with, for each project (or cost centre), a total line followed by
// the cost rows behind it. Streams rows in pages so a large month never sits in memory at once.
import { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';
import { Decimal, formatDecimal, monthBounds } from './money';
import type { CostScope } from './scope';

const HEADER = ['RowType', 'Group', 'ProjectKey', 'ProjectName', 'CostCentre', 'BillingCurrency', 'BilledCost', 'EffectiveCost',
  'ChargePeriodStart', 'ChargePeriodEnd', 'ProviderName', 'ServiceName', 'ChargeCategory', 'ResourceId', 'ResourceName', 'RowCount'];
const cell = (v: string | null | undefined) => {
  const s = v ?? '';
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"` : s;
};
const line = (values: (string | null | undefined)[]) => `${values.map(cell).join(',')}\r\n`;
const PAGE = 5000;

export async function* showbackCsv(db: Db, scope: CostScope, options: { month: string; by: 'project' | 'costCentre' }): AsyncGenerator<string> {
  const { start, end } = monthBounds(new Date(`${options.month}-01T00:00:00Z`));
  const projects = await db.project.findMany({
    where: scope.all ? {} : { id: { in: scope.projectIds } },
    select: { id: true, key: true, name: true, costCentre: true },
    orderBy: { name: 'asc' },
  });
  const byId = new Map(projects.map((p) => [p.id, p]));
  const scopeSql = scope.all ? Prisma.sql`TRUE` : scope.projectIds.length ? Prisma.sql`"projectId" IN (${Prisma.join(scope.projectIds)})` : Prisma.sql`FALSE`;
  // Totals from the rollup; the rows behind them from CostRecord (same month, same scope).
  const totals = await db.$queryRaw<{ projectId: string | null; currency: string; billed: string; effective: string; n: bigint }[]>`
    SELECT "projectId", "billingCurrency" AS currency, sum("billedCost")::text AS billed, sum("effectiveCost")::text AS effective, sum("rowCount")::bigint AS n
    FROM "CostDailyRollup" WHERE "day" >= ${start}::date AND "day" < ${end}::date AND ${scopeSql}
    GROUP BY 1, 2`;
  const groupOf = (projectId: string | null) => {
    const p = projectId ? byId.get(projectId) : undefined;
    return options.by === 'project' ? (p ? p.key : 'unallocated') : (p?.costCentre ?? 'unallocated');
  };
  const groups = new Map<string, { projectIds: Set<string | null>; currencies: Map<string, { billed: InstanceType<typeof Decimal>; effective: InstanceType<typeof Decimal>; n: number }> }>();
  for (const t of totals) {
    const key = groupOf(t.projectId);
    const g = groups.get(key) ?? { projectIds: new Set(), currencies: new Map() };
    g.projectIds.add(t.projectId);
    const c = g.currencies.get(t.currency) ?? { billed: new Decimal(0), effective: new Decimal(0), n: 0 };
    c.billed = c.billed.plus(t.billed);
    c.effective = c.effective.plus(t.effective);
    c.n += Number(t.n);
    g.currencies.set(t.currency, c);
    groups.set(key, g);
  }
  yield line(HEADER);
  for (const [key, g] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const ids = [...g.projectIds];
    const single = ids.length === 1 && ids[0] ? byId.get(ids[0]) : undefined;
    for (const [currency, c] of g.currencies) {
      yield line(['total', key, single?.key, single?.name, single?.costCentre ?? (options.by === 'costCentre' ? key : ''), currency,
        formatDecimal(c.billed.toFixed()), formatDecimal(c.effective.toFixed()), start.toISOString(), end.toISOString(), '', '', '', '', '', String(c.n)]);
    }
    const realIds = ids.filter((id): id is string => !!id);
    const hasNull = ids.includes(null);
    const idSql = Prisma.sql`(${realIds.length ? Prisma.sql`"projectId" IN (${Prisma.join(realIds)})` : Prisma.sql`FALSE`} ${hasNull ? Prisma.sql`OR "projectId" IS NULL` : Prisma.empty})`;
    let cursor: { start: Date; id: string } | null = null;
    for (;;) {
      const after: Prisma.Sql = cursor ? Prisma.sql`AND ("chargePeriodStart", "id") > (${cursor.start}, ${cursor.id})` : Prisma.empty;
      const rows: { id: string; projectId: string | null; billingCurrency: string; billedCost: string; effectiveCost: string; chargePeriodStart: Date; chargePeriodEnd: Date; providerName: string; serviceName: string | null; chargeCategory: string; resourceId: string | null; resourceName: string | null }[] = await db.$queryRaw`
        SELECT "id", "projectId", "billingCurrency", "billedCost"::text AS "billedCost", "effectiveCost"::text AS "effectiveCost",
               "chargePeriodStart", "chargePeriodEnd", "providerName", "serviceName", "chargeCategory", "resourceId", "resourceName"
        FROM "CostRecord"
        WHERE "chargePeriodStart" >= ${start} AND "chargePeriodStart" < ${end} AND "billingMonth" < ${end}::date AND ${idSql} ${after}
        ORDER BY "chargePeriodStart", "id" LIMIT ${PAGE}`;
      for (const r of rows) {
        const p = r.projectId ? byId.get(r.projectId) : undefined;
        yield line(['line', key, p?.key, p?.name, p?.costCentre, r.billingCurrency, formatDecimal(r.billedCost), formatDecimal(r.effectiveCost),
          r.chargePeriodStart.toISOString(), r.chargePeriodEnd.toISOString(), r.providerName, r.serviceName, r.chargeCategory, r.resourceId, r.resourceName, '1']);
      }
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1]!;
      cursor = { start: last.chargePeriodStart, id: last.id };
    }
  }
}
