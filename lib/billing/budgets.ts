// Monthly budgets per project (optionally per provider) and their alerts: at each threshold of
// actual and of forecast spend, once per threshold per period, in the app and by e-mail.
import { Prisma } from '@/generated/prisma/client';
import { recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { NotFoundError } from '../errors';
import { notify } from '../notifications/notify';
import type { ProviderKind } from '@/providers/types';
import { FOCUS_PROVIDER_NAMES } from './focus-providers';
import { forecastMonthEnd, formatDecimal, monthBounds, percentOf } from './money';
import { type CostScope, assertCostProjectAccess } from './scope';
import { type BudgetView, type CreateBudgetInput, type UpdateBudgetInput, createBudgetSchema, updateBudgetSchema } from './schemas';

type Tx = Prisma.TransactionClient | Db;
type BudgetRow = Prisma.BudgetGetPayload<{ include: { project: { select: { name: true } }; alerts: true } }>;

/** Month-to-date effective cost of one budget's scope, from the daily rollup. */
export async function budgetActual(db: Tx, budget: { projectId: string | null; providerKind: ProviderKind | null; currency: string }, at: Date): Promise<string> {
  const { start, end } = monthBounds(at);
  const providers = budget.providerKind ? FOCUS_PROVIDER_NAMES[budget.providerKind] : null;
  const rows = await db.$queryRaw<{ s: string | null }[]>`
    SELECT sum("effectiveCost")::text AS s FROM "CostDailyRollup"
    WHERE "day" >= ${start}::date AND "day" < ${end}::date AND "day" <= ${at}::date
      AND "billingCurrency" = ${budget.currency}
      AND ${budget.projectId ? Prisma.sql`"projectId" = ${budget.projectId}` : Prisma.sql`TRUE`}
      AND ${providers ? Prisma.sql`"providerName" IN (${Prisma.join([...providers])})` : Prisma.sql`TRUE`}`;
  return rows[0]?.s ?? '0';
}

async function view(db: Tx, b: BudgetRow, at: Date): Promise<BudgetView> {
  const actual = await budgetActual(db, b, at);
  const { start } = monthBounds(at);
  return {
    id: b.id,
    name: b.name,
    projectId: b.projectId,
    projectName: b.project?.name ?? null,
    providerKind: b.providerKind,
    amount: formatDecimal(b.amount.toString()),
    currency: b.currency,
    period: b.period,
    alertThresholds: b.alertThresholds,
    actualMonthToDate: formatDecimal(actual),
    forecastMonthEnd: forecastMonthEnd(actual, at),
    percentUsed: Math.round(percentOf(actual, b.amount.toString()) * 10) / 10,
    alerts: b.alerts
      .filter((a) => a.periodStart.getTime() === start.getTime())
      .sort((x, y) => x.threshold - y.threshold || Number(x.forecast) - Number(y.forecast))
      .map((a) => ({ threshold: a.threshold, forecast: a.forecast, periodStart: a.periodStart.toISOString().slice(0, 10), amount: formatDecimal(a.amount.toString()), triggeredAt: a.triggeredAt.toISOString() })),
  };
}

const include = { project: { select: { name: true } }, alerts: true } as const;

export async function listBudgets(db: Db, scope: CostScope, options: { projectId?: string; at?: Date } = {}): Promise<BudgetView[]> {
  if (options.projectId) assertCostProjectAccess(scope, options.projectId);
  const budgets = await db.budget.findMany({
    where: {
      ...(options.projectId ? { projectId: options.projectId } : {}),
      ...(scope.all ? {} : { projectId: { in: scope.projectIds } }),
    },
    include,
    orderBy: [{ project: { name: 'asc' } }, { name: 'asc' }],
  });
  const at = options.at ?? new Date();
  return Promise.all(budgets.map((b) => view(db, b, at)));
}

export async function createBudget(db: Db, input: CreateBudgetInput, audit: AuditContext): Promise<BudgetView> {
  const data = createBudgetSchema.parse(input);
  const project = await db.project.findUnique({ where: { id: data.projectId }, select: { id: true } });
  if (!project) throw new NotFoundError('The project');
  return db.$transaction(async (tx) => {
    const { start } = monthBounds(new Date());
    const created = await tx.budget.create({
      data: {
        name: data.name,
        projectId: data.projectId,
        providerKind: data.providerKind ?? null,
        amount: data.amount,
        currency: data.currency,
        period: 'monthly',
        alertThresholds: [...new Set(data.alertThresholds)].sort((a, b) => a - b),
        startsOn: data.startsOn ? new Date(`${data.startsOn}T00:00:00Z`) : start,
      },
      include,
    });
    await recordAudit(tx, audit, { action: 'budget.create', targetType: 'Budget', targetId: created.id, after: { ...data } });
    return view(tx, created, new Date());
  });
}

export async function updateBudget(db: Db, budgetId: string, input: UpdateBudgetInput, audit: AuditContext): Promise<BudgetView> {
  const data = updateBudgetSchema.parse(input);
  return db.$transaction(async (tx) => {
    const before = await tx.budget.findUnique({ where: { id: budgetId } });
    if (!before) throw new NotFoundError('The budget');
    const updated = await tx.budget.update({
      where: { id: budgetId },
      data: {
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.providerKind !== undefined ? { providerKind: data.providerKind } : {}),
        ...(data.amount !== undefined ? { amount: data.amount } : {}),
        ...(data.currency !== undefined ? { currency: data.currency } : {}),
        ...(data.alertThresholds ? { alertThresholds: [...new Set(data.alertThresholds)].sort((a, b) => a - b) } : {}),
      },
      include,
    });
    await recordAudit(tx, audit, {
      action: 'budget.update',
      targetType: 'Budget',
      targetId: budgetId,
      before: { name: before.name, amount: before.amount.toString(), providerKind: before.providerKind, alertThresholds: before.alertThresholds },
      after: data,
    });
    return view(tx, updated, new Date());
  });
}

/**
 * Fire every threshold crossed by actual or forecast spend this month that has not fired yet.
 * The unique (budget, threshold, period, forecast) row is the "once" guarantee: the alert row and
 * its notification are written in one transaction, and a concurrent run's insert does nothing.
 */
export async function evaluateBudgetAlerts(db: Db, audit: AuditContext, at: Date = new Date()): Promise<{ fired: number }> {
  const { start } = monthBounds(at);
  const budgets = await db.budget.findMany({
    where: { period: 'monthly', startsOn: { lte: at } },
    include: { project: { select: { id: true, name: true, ownerId: true, memberships: { where: { role: 'owner' }, select: { userId: true } } } } },
  });
  let fired = 0;
  for (const budget of budgets) {
    const actual = await budgetActual(db, budget, at);
    const forecast = forecastMonthEnd(actual, at);
    const amount = budget.amount.toString();
    const crossings: { threshold: number; forecast: boolean; value: string }[] = [];
    for (const threshold of budget.alertThresholds) {
      if (percentOf(actual, amount) >= threshold) crossings.push({ threshold, forecast: false, value: actual });
      if (percentOf(forecast, amount) >= threshold) crossings.push({ threshold, forecast: true, value: forecast });
    }
    for (const c of crossings) {
      await db.$transaction(async (tx) => {
        const inserted = await tx.$queryRaw<{ id: string }[]>`
          INSERT INTO "BudgetAlert" ("id", "budgetId", "threshold", "periodStart", "amount", "forecast", "triggeredAt")
          VALUES (${`ba_${crypto.randomUUID()}`}, ${budget.id}, ${c.threshold}, ${start}::date, ${new Prisma.Decimal(c.value).toDecimalPlaces(2).toFixed(2)}::numeric, ${c.forecast}, now())
          ON CONFLICT ("budgetId", "threshold", "periodStart", "forecast") DO NOTHING
          RETURNING "id"`;
        if (!inserted.length) return;
        fired += 1;
        const admins = await tx.user.findMany({ where: { roles: { has: 'admin' }, status: 'active' }, select: { id: true } });
        const recipients = [budget.project?.ownerId, ...(budget.project?.memberships.map((m) => m.userId) ?? []), ...admins.map((a) => a.id)].filter(
          (id): id is string => !!id,
        );
        const what = c.forecast ? 'is forecast to reach' : 'has reached';
        const spend = `${formatDecimal(c.value)} ${budget.currency} of ${formatDecimal(amount)} ${budget.currency}`;
        const title = `Budget "${budget.name}" ${what} ${c.threshold}%`;
        const body = `${budget.project?.name ?? 'Organisation'}: ${c.forecast ? 'forecast month-end spend' : 'spend this month'} is ${spend}.`;
        await notify(tx, {
          userIds: recipients,
          type: c.forecast ? 'budget.forecast_threshold' : 'budget.threshold',
          title,
          body,
          link: '/costs/budgets',
          email: { subject: `[Skyport] ${title}`, text: `${body}\n\nSee the budget: /costs/budgets` },
        });
        await recordAudit(tx, audit, {
          action: 'budget.alert',
          targetType: 'Budget',
          targetId: budget.id,
          after: { threshold: c.threshold, forecast: c.forecast, amount: c.value, periodStart: start.toISOString().slice(0, 10) },
        });
      });
    }
  }
  return { fired };
}
