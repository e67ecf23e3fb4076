// Budget arithmetic for the request form and the policy facts. Definition (documented in README):
//   committed = the monthly run-rate of the project's live VMs, each priced from the price book
//               (what they cost per month while they run)
//             + the monthly estimate of its in-flight requests' VMs that do not exist yet;
//   Billing's actual month-to-date spend and month-end forecast (which include non-VM services
//   such as storage and databases) are returned alongside for context, not added in;
//   after     = committed + this request's monthly estimate, compared with the project's monthly
//               budget (all-providers Budget row; quarterly/annual amounts are divided by 3/12).
// Money is Prisma.Decimal throughout; strings with 2 decimals at the edges.
import { Prisma } from '@/generated/prisma/client';
import type { ProviderKind } from '@/generated/prisma/enums';
import type { PriceContext } from './ports';
import { priceVm, projectBudgetStatus } from './ports';
import type { Tx } from './timeline';

const Decimal = Prisma.Decimal;
type Decimal = Prisma.Decimal;

export interface BudgetLine {
  budget: string | null;
  currency: string;
  committed: string;
  request: string;
  after: string;
  remaining: string | null;
  exceeded: boolean;
  /** Billing's actual spend this month and its month-end forecast (whole project), for context. */
  actualMonthToDate: string | null;
  forecastMonthEnd: string | null;
}

export interface CommittedSpend { committed: string; currency: string; budget: string | null; actualMonthToDate: string; forecastMonthEnd: string }

const money = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);

/** Pure: the budget line after adding `request` to `committed`. */
export function budgetLine(input: { budget: string | null; currency: string; committed: string; request: string; actualMonthToDate?: string; forecastMonthEnd?: string }): BudgetLine {
  const committed = new Decimal(input.committed);
  const request = new Decimal(input.request);
  const after = committed.plus(request);
  const budget = input.budget === null ? null : new Decimal(input.budget);
  return {
    budget: budget ? money(budget) : null,
    currency: input.currency,
    committed: money(committed),
    request: money(request),
    after: money(after),
    remaining: budget ? money(budget.minus(after)) : null,
    exceeded: budget ? after.greaterThan(budget) : false,
    actualMonthToDate: input.actualMonthToDate ?? null,
    forecastMonthEnd: input.forecastMonthEnd ?? null,
  };
}

/** The monthly amount of the project's all-providers budget, or null when it has none. */
export async function monthlyBudget(db: Tx, projectId: string): Promise<{ amount: string; currency: string } | null> {
  const row = await db.budget.findFirst({ where: { projectId, providerKind: null }, orderBy: { createdAt: 'asc' } });
  if (!row) return null;
  const divisor = row.period === 'quarterly' ? 3 : row.period === 'annual' ? 12 : 1;
  return { amount: money(new Decimal(row.amount.toString()).dividedBy(divisor)), currency: row.currency };
}

interface LiveGroup { kind: ProviderKind; region: string; size: string; vcpus: number | null; memory: number | null; disk: number | null; vms: bigint | number }

/** Monthly run-rate of the project's live VMs, priced per (kind, region, size, shape) group. */
export async function liveRunRate(db: Tx, projectId: string, prices: PriceContext): Promise<Decimal> {
  const groups = await db.$queryRaw<LiveGroup[]>`
    SELECT "providerKind"::text AS kind, "regionCode" AS region, size, vcpus, "memoryMiB" AS memory, "diskGiB" AS disk, count(*) AS vms
      FROM "Vm" WHERE "projectId" = ${projectId} AND "deletedAt" IS NULL AND state NOT IN ('deleted', 'deleting')
     GROUP BY 1, 2, 3, 4, 5, 6`;
  let total = new Decimal(0);
  for (const g of groups) {
    const price = priceVm(prices, { providerKind: g.kind, regionCode: g.region, instanceType: g.size, vcpus: g.vcpus ?? 0, memoryMiB: g.memory ?? 0, diskGiB: g.disk ?? 0 });
    if (price) total = total.plus(new Decimal(price.totalMonthly).times(Number(g.vms)));
  }
  return total;
}

/**
 * Monthly estimate of what in-flight requests will add: their VMs that do not exist yet, and the
 * price increase of resizes awaiting approval or their job, or (ungated) whose job is queued or
 * running (the live run-rate still prices those VMs at their old size; a cheaper size counts only
 * once it is done).
 */
export async function inFlightMonthly(db: Tx, projectId: string, excludeRequestId = ''): Promise<Decimal> {
  const rows = await db.$queryRaw<{ vms: string | null; resizes: string | null; resizeJobs: string | null }[]>`
    SELECT (SELECT sum(i."estimatedMonthlyCost" * greatest(i.quantity - coalesce(m.made, 0), 0) / greatest(i.quantity, 1))
              FROM "RequestItem" i
              JOIN "Request" r ON r.id = i."requestId"
              LEFT JOIN (SELECT "requestItemId", count(*) AS made FROM "Vm" WHERE "projectId" = ${projectId} AND "requestItemId" IS NOT NULL GROUP BY 1) m
                ON m."requestItemId" = i.id
             WHERE r."projectId" = ${projectId} AND r.id <> ${excludeRequestId}
               AND r.status IN ('pending_approval', 'approved', 'provisioning')
               AND i.status IN ('pending', 'provisioning', 'failed'))::text AS vms,
           (SELECT sum(greatest((r.payload->>'costDelta')::numeric, 0))
              FROM "Request" r
             WHERE r."projectId" = ${projectId} AND r.id <> ${excludeRequestId} AND r.kind = 'vm_action' AND r.payload->>'action' = 'resize'
               AND r.status IN ('pending_approval', 'approved', 'provisioning') AND r.payload->>'costDelta' IS NOT NULL)::text AS resizes,
           -- Ungated resizes: no request, the job carries the increase (an approved one's request counts above).
           (SELECT sum(greatest((j.payload->>'costDelta')::numeric, 0))
              FROM "ProvisioningJob" j JOIN "Vm" v ON v.id = j."vmId"
             WHERE v."projectId" = ${projectId} AND j.kind = 'resize_vm' AND j.status IN ('queued', 'running')
               AND j.payload->>'requestId' IS NULL AND j.payload->>'costDelta' IS NOT NULL)::text AS "resizeJobs"`;
  return new Decimal(rows[0]?.vms ?? 0).plus(rows[0]?.resizes ?? 0).plus(rows[0]?.resizeJobs ?? 0);
}

/**
 * The part of committed spend that concurrent submissions cannot change (live VMs, the budget, the
 * billing figures), so the submit path reads it before taking the project lock.
 */
export interface BaseSpend {
  live: string;
  currency: string;
  budget: string | null;
  /** Billing's figures for the whole project (all services, not only VMs), shown for context. */
  actualMonthToDate: string;
  forecastMonthEnd: string;
}

export async function baseSpend(db: Tx, projectId: string, prices: PriceContext, at?: Date): Promise<BaseSpend> {
  const [billing, own, live] = await Promise.all([projectBudgetStatus(db, projectId, at), monthlyBudget(db, projectId), liveRunRate(db, projectId, prices)]);
  return {
    live: money(live),
    currency: billing.budget !== null ? billing.currency : (own?.currency ?? prices.currency),
    budget: billing.budget ?? own?.amount ?? null,
    actualMonthToDate: money(new Decimal(billing.actualMonthToDate)),
    forecastMonthEnd: money(new Decimal(billing.forecastMonthEnd)),
  };
}

export function withInFlight(base: BaseSpend, inFlight: Decimal): CommittedSpend {
  return {
    committed: money(new Decimal(base.live).plus(inFlight)),
    currency: base.currency,
    budget: base.budget,
    actualMonthToDate: base.actualMonthToDate,
    forecastMonthEnd: base.forecastMonthEnd,
  };
}

export async function committedSpend(db: Tx, projectId: string, prices: PriceContext, options: { at?: Date; excludeRequestId?: string } = {}): Promise<CommittedSpend> {
  const [base, inFlight] = await Promise.all([baseSpend(db, projectId, prices, options.at), inFlightMonthly(db, projectId, options.excludeRequestId)]);
  return withInFlight(base, inFlight);
}
