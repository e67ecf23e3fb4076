// Read-only cost totals from imported FOCUS rows (CostRecord): by provider, by project and by month.
import type { Db } from '../db/client';

export interface CostTotal {
  key: string;
  label: string;
  currency: string;
  effectiveCost: number;
  billedCost: number;
}

export interface CostSummary {
  recordCount: number;
  totals: { currency: string; effectiveCost: number; billedCost: number }[];
  byProvider: CostTotal[];
  byProject: CostTotal[];
  /** key = "YYYY-MM" of the charge period start (UTC), newest first. */
  byMonth: CostTotal[];
}

export interface CostSummaryOptions {
  /** Charge periods starting on or after this instant. */
  from?: Date;
  /** Charge periods starting before this instant. */
  to?: Date;
}

const num = (value: unknown) => Number(value ?? 0);

export async function costSummary(db: Db, options: CostSummaryOptions = {}): Promise<CostSummary> {
  const where = {
    ...(options.from || options.to
      ? { chargePeriodStart: { ...(options.from ? { gte: options.from } : {}), ...(options.to ? { lt: options.to } : {}) } }
      : {}),
  };
  const from = options.from ?? new Date(Date.UTC(1970, 0, 1));
  const to = options.to ?? new Date(Date.UTC(9999, 0, 1));
  const [count, totals, byProvider, byProjectRaw, byMonth] = await Promise.all([
    db.costRecord.count({ where }),
    db.costRecord.groupBy({ by: ['billingCurrency'], where, _sum: { effectiveCost: true, billedCost: true } }),
    db.costRecord.groupBy({ by: ['providerName', 'billingCurrency'], where, _sum: { effectiveCost: true, billedCost: true } }),
    db.costRecord.groupBy({ by: ['projectId', 'billingCurrency'], where, _sum: { effectiveCost: true, billedCost: true } }),
    db.$queryRaw<{ month: string; currency: string; effective: string; billed: string }[]>`
      SELECT to_char(date_trunc('month', "chargePeriodStart" AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
             "billingCurrency" AS currency,
             SUM("effectiveCost")::text AS effective,
             SUM("billedCost")::text AS billed
      FROM "CostRecord"
      WHERE "chargePeriodStart" >= ${from} AND "chargePeriodStart" < ${to}
      GROUP BY 1, 2
      ORDER BY 1 DESC, 2`,
  ]);
  const projectIds = byProjectRaw.map((r) => r.projectId).filter((id): id is string => id !== null);
  const projects = projectIds.length
    ? await db.project.findMany({ where: { id: { in: projectIds } }, select: { id: true, name: true } })
    : [];
  const projectName = new Map(projects.map((p) => [p.id, p.name]));
  const byCostDesc = (a: CostTotal, b: CostTotal) => b.effectiveCost - a.effectiveCost || a.label.localeCompare(b.label);

  return {
    recordCount: count,
    totals: totals
      .map((t) => ({ currency: t.billingCurrency, effectiveCost: num(t._sum.effectiveCost), billedCost: num(t._sum.billedCost) }))
      .sort((a, b) => a.currency.localeCompare(b.currency)),
    byProvider: byProvider
      .map((r) => ({
        key: r.providerName,
        label: r.providerName,
        currency: r.billingCurrency,
        effectiveCost: num(r._sum.effectiveCost),
        billedCost: num(r._sum.billedCost),
      }))
      .sort(byCostDesc),
    byProject: byProjectRaw
      .map((r) => ({
        key: r.projectId ?? 'unallocated',
        label: r.projectId ? (projectName.get(r.projectId) ?? r.projectId) : 'Unallocated',
        currency: r.billingCurrency,
        effectiveCost: num(r._sum.effectiveCost),
        billedCost: num(r._sum.billedCost),
      }))
      .sort(byCostDesc),
    byMonth: byMonth.map((r) => ({
      key: r.month,
      label: new Date(`${r.month}-01T00:00:00Z`).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }),
      currency: r.currency,
      effectiveCost: num(r.effective),
      billedCost: num(r.billed),
    })),
  };
}
