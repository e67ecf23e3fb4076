// Contract 9: the request form's budget line reads this. One project's monthly budget (the
// project-wide one, not a per-provider one), its actual spend this month and the run-rate forecast.
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';
import { forecastMonthEnd, formatDecimal, monthBounds } from './money';

type Tx = Prisma.TransactionClient | Db;

export async function projectBudgetStatus(
  db: Tx,
  projectId: string,
  at: Date = new Date(),
): Promise<{ budget: string | null; currency: string; actualMonthToDate: string; forecastMonthEnd: string }> {
  const { start, end } = monthBounds(at);
  const budget = await db.budget.findFirst({
    where: { projectId, providerKind: null, period: 'monthly', startsOn: { lt: end } },
    orderBy: [{ startsOn: 'desc' }, { createdAt: 'desc' }],
  });
  const currency = budget?.currency ?? 'USD';
  // Daily rollup (maintained on import), so this never scans raw cost rows.
  const rows = await db.$queryRaw<{ actual: string | null }[]>`
    SELECT SUM("effectiveCost")::text AS actual
    FROM "CostDailyRollup"
    WHERE "projectId" = ${projectId} AND "billingCurrency" = ${currency}
      AND "day" >= ${start}::date AND "day" < ${end}::date AND "day" <= ${at}::date`;
  const actual = rows[0]?.actual ?? '0';
  return {
    budget: budget ? formatDecimal(budget.amount.toString(), 2) : null,
    currency,
    actualMonthToDate: formatDecimal(actual, 2),
    forecastMonthEnd: forecastMonthEnd(actual, at),
  };
}
