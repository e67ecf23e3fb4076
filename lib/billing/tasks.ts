// Billing jobs (contract 2): watched-folder imports per provider account, the daily on-prem
// chargeback, and budget alerts. Each runs against DATABASE_URL (COPY needs its own connection).
import { z } from 'zod';
import { auditContext } from '../audit/record';
import { loadServerConfig } from '../config/server-config';
import { WORKER_ACTOR, jobDb } from '../jobs/context';
import { enqueueJob } from '../jobs/queue';
import type { CronItem, Task, TaskList, Tx } from '../jobs/types';
import { evaluateBudgetAlerts } from './budgets';
import { runChargeback } from './chargeback';
import { importWatchedFolder } from './folder-import';
import { ON_PREM_PROVIDER_NAME } from './focus-providers';
import { failStaleImports } from './imports';
import { monthBounds } from './money';

export const IMPORT_FOLDER_TASK = 'billing.import_folder';
export const IMPORT_ALL_FOLDERS_TASK = 'billing.import_folders';
export const CHARGEBACK_TASK = 'billing.chargeback_daily';
export const BUDGET_ALERTS_TASK = 'billing.budget_alerts';

function connectionString(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  return url;
}

const folderPayload = z.object({ providerAccountId: z.string().min(1).max(100) });

const importFolder: Task = async (payload, helpers) => {
  const { providerAccountId } = folderPayload.parse(payload);
  const config = loadServerConfig(process.env);
  const db = jobDb();
  const results = await importWatchedFolder(db, connectionString(), {
    root: config.costImportDir,
    providerAccountId,
    audit: auditContext(WORKER_ACTOR, `job-${helpers.job.id}`),
    tagMapping: config.costTagMapping,
    rollupTagKeys: config.costRollupTagKeys,
  });
  for (const r of results) helpers.logger.info(`billing import ${r.importId}: ${r.status} (${r.rowCount} rows)`);
  if (results.some((r) => r.status === 'succeeded')) await enqueueJob(db, BUDGET_ALERTS_TASK, {}, { jobKey: BUDGET_ALERTS_TASK });
};

/**
 * At start-up: queue the chargeback of last month and of this month to date when the database holds
 * no on-prem cost rows for them — a first start (or a first deployment mid-month) would otherwise
 * show no VMware costs until the nightly run. One job key per month, so several starting processes
 * queue it once; a month without vSphere VMs costs one empty run per start.
 */
export async function enqueueMissingChargebacks(tx: Tx, now: Date = new Date()): Promise<string[]> {
  const thisMonth = monthBounds(now).start;
  const lastMonth = monthBounds(new Date(thisMonth.getTime() - 1)).start;
  const charged = await tx.$queryRaw<{ month: Date }[]>`
    SELECT DISTINCT "billingMonth" AS month FROM "CostDailyRollup"
    WHERE "providerName" = ${ON_PREM_PROVIDER_NAME} AND "billingMonth" IN (${lastMonth}::date, ${thisMonth}::date)`;
  const has = (month: Date) => charged.some((c) => c.month.getTime() === month.getTime());
  // `through` is exclusive of its day: the 1st of this month charges all of last month.
  const runs = [
    { month: lastMonth, through: thisMonth },
    { month: thisMonth, through: now },
  ].filter((r) => !has(r.month) && !(r.month === thisMonth && now.getTime() - thisMonth.getTime() < 86_400_000));
  for (const run of runs) {
    const month = run.month.toISOString().slice(0, 7);
    await enqueueJob(tx, CHARGEBACK_TASK, { through: run.through.toISOString() }, { jobKey: `${CHARGEBACK_TASK}:catch-up:${month}`, maxAttempts: 3 });
  }
  return runs.map((r) => r.month.toISOString().slice(0, 7));
}

/** Cron: one import_folder job per provider account (one queue each, so a folder is never read twice at once). */
const importAllFolders: Task = async () => {
  const db = jobDb();
  await failStaleImports(db);
  const accounts = await db.providerAccount.findMany({ where: { enabled: true }, select: { id: true } });
  for (const a of accounts) {
    await enqueueJob(db, IMPORT_FOLDER_TASK, { providerAccountId: a.id }, { jobKey: `${IMPORT_FOLDER_TASK}:${a.id}`, queueName: `billing.folder:${a.id}`, maxAttempts: 3 });
  }
};

const chargebackPayload = z.object({ through: z.string().max(40).optional() });

const chargeback: Task = async (payload, helpers) => {
  const { through } = chargebackPayload.parse(payload ?? {});
  const config = loadServerConfig(process.env);
  const db = jobDb();
  const results = await runChargeback(db, connectionString(), {
    through: through ? new Date(through) : new Date(),
    organisationName: config.organisationName,
    rollupTagKeys: config.costRollupTagKeys,
    audit: auditContext(WORKER_ACTOR, `job-${helpers.job.id}`),
  });
  helpers.logger.info(`chargeback: ${results.length} vSphere account(s), ${results.reduce((n, r) => n + r.rowCount, 0)} rows`);
  await enqueueJob(db, BUDGET_ALERTS_TASK, {}, { jobKey: BUDGET_ALERTS_TASK });
};

const budgetAlerts: Task = async (_payload, helpers) => {
  const { fired } = await evaluateBudgetAlerts(jobDb(), auditContext(WORKER_ACTOR, `job-${helpers.job.id}`));
  if (fired) helpers.logger.info(`budget alerts: ${fired} fired`);
};

export const tasks: TaskList = {
  [IMPORT_FOLDER_TASK]: importFolder,
  [IMPORT_ALL_FOLDERS_TASK]: importAllFolders,
  [CHARGEBACK_TASK]: chargeback,
  [BUDGET_ALERTS_TASK]: budgetAlerts,
};

export const cron: CronItem[] = [
  { task: IMPORT_ALL_FOLDERS_TASK, identifier: IMPORT_ALL_FOLDERS_TASK, match: '*/15 * * * *', options: { backfillPeriod: 0, maxAttempts: 1 } },
  { task: CHARGEBACK_TASK, identifier: CHARGEBACK_TASK, match: '30 1 * * *', options: { backfillPeriod: 0, maxAttempts: 3 } },
  { task: BUDGET_ALERTS_TASK, identifier: BUDGET_ALERTS_TASK, match: '0 * * * *', options: { backfillPeriod: 0, maxAttempts: 3 } },
];
