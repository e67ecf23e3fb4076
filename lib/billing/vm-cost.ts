// One VM's billed cost (for the VM page, #6): imported / charged-back effective cost this month to
// date and the run-rate forecast, from its linked CostRecord rows (the vmId index; one VM's rows are few).
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';
import { forecastMonthEnd, formatDecimal, monthBounds } from './money';

type Tx = Prisma.TransactionClient | Db;

export async function vmCostToDate(
  db: Tx,
  vmId: string,
  at: Date = new Date(),
): Promise<{ currency: string | null; monthToDate: string; forecastMonthEnd: string; allTime: string }> {
  const { start, end } = monthBounds(at);
  const rows = await db.$queryRaw<{ currency: string; mtd: string | null; total: string | null }[]>`
    SELECT "billingCurrency" AS currency,
           sum("effectiveCost") FILTER (WHERE "chargePeriodStart" >= ${start} AND "chargePeriodStart" < ${end} AND "chargePeriodStart" <= ${at})::text AS mtd,
           sum("effectiveCost")::text AS total
    FROM "CostRecord" WHERE "vmId" = ${vmId}
    GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`;
  const r = rows[0];
  const mtd = r?.mtd ?? '0';
  return { currency: r?.currency ?? null, monthToDate: formatDecimal(mtd), forecastMonthEnd: forecastMonthEnd(mtd, at), allTime: formatDecimal(r?.total) };
}
