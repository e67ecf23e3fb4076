// Inventory sync as jobs (contract 2): 'inventory.sync_account' syncs one account; the cron task
// 'inventory.sync_all' enqueues it for every enabled account every SKYPORT_SYNC_INTERVAL_MINUTES;
// "Sync now" (page and API) enqueues the same job. One job key and one queue per account: a sync
// that is waiting is not queued twice, a request while one runs is answered with the running job
// (so a double click is one sync), and two syncs of one account never run at the same time
// (vanished-VM detection relies on that).
import '@/providers/all';
import { z } from 'zod';
import { auditContext } from '../audit/record';
import { loadServerConfig } from '../config/server-config';
import { jobDb, WORKER_ACTOR } from '../jobs/context';
import { addJob } from '../jobs/queue';
import type { CronItem, Task, TaskList, Tx } from '../jobs/types';
import { syncProviderAccount } from '../provider-accounts/sync';
import { costCron, costTasks, enqueueCostRefresh } from './cost-refresh';

export const SYNC_ACCOUNT_TASK = 'inventory.sync_account';
export const SYNC_ALL_TASK = 'inventory.sync_all';

const payloadSchema = z.object({ accountId: z.string().min(1).max(100), requestedBy: z.string().max(320).optional() });

/** graphile-worker job key (and queue name) of an account's sync. */
export function syncJobKey(accountId: string): string {
  return `inventory.sync:${accountId}`;
}

export interface QueuedSync {
  jobId: string;
  /** `running`: a sync of the account was already running, and that job is the answer. */
  state: 'queued' | 'running';
}

/** Queue a sync of one account, or return the one already waiting or running (never a second). */
export async function enqueueAccountSync(tx: Tx, accountId: string, requestedBy?: string): Promise<QueuedSync> {
  const key = syncJobKey(accountId);
  const running = await tx.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM graphile_worker.jobs WHERE key = ${key} AND locked_at IS NOT NULL LIMIT 1`;
  if (running[0]) return { jobId: running[0].id, state: 'running' };
  // Same key while waiting: graphile-worker replaces the waiting job (one job, run now, attempts reset).
  const jobId = await addJob(tx, SYNC_ACCOUNT_TASK, { accountId, ...(requestedBy ? { requestedBy } : {}) }, {
    jobKey: key,
    queueName: key,
    maxAttempts: 3,
  });
  return { jobId, state: 'queued' };
}

/** Queue a sync of every enabled account; returns how many were queued. */
export async function enqueueAllAccountSyncs(tx: Tx): Promise<number> {
  const accounts = await tx.providerAccount.findMany({ where: { enabled: true, regions: { some: { enabled: true } } }, select: { id: true } });
  for (const account of accounts) await enqueueAccountSync(tx, account.id);
  return accounts.length;
}

const syncAccount: Task = async (payload, helpers) => {
  const { accountId, requestedBy } = payloadSchema.parse(payload);
  const db = jobDb();
  const exists = await db.providerAccount.findUnique({ where: { id: accountId }, select: { enabled: true } });
  if (!exists?.enabled) return; // deleted or disabled since it was queued: nothing to do
  const audit = auditContext({ ...WORKER_ACTOR, label: requestedBy ? `worker (for ${requestedBy})` : WORKER_ACTOR.label }, `job-${helpers.job.id}`);
  const result = await syncProviderAccount(db, accountId, audit, { jobId: String(helpers.job.id) });
  helpers.logger.info(`inventory sync of ${accountId}: ${result.total} VMs in ${result.regions.length} regions`);
  await enqueueCostRefresh(db); // the cost column, after the sync (deduplicated; never on the sync path)
};

const syncAll: Task = async () => {
  await enqueueAllAccountSyncs(jobDb());
};

export const tasks: TaskList = { [SYNC_ACCOUNT_TASK]: syncAccount, [SYNC_ALL_TASK]: syncAll, ...costTasks };

function syncIntervalMinutes(): number {
  try {
    return loadServerConfig(process.env).syncIntervalMinutes;
  } catch {
    return 15; // start-up validates the environment and stops on a bad value before a worker runs
  }
}

/** Fires when the minute of the day (UTC) is a multiple of the interval. */
export function syncCronMatches(intervalMinutes: number, digest: { hour: number; min: number }): boolean {
  return (digest.hour * 60 + digest.min) % intervalMinutes === 0;
}

const interval = syncIntervalMinutes();
export const cron: CronItem[] = [
  { task: SYNC_ALL_TASK, identifier: SYNC_ALL_TASK, match: (digest) => syncCronMatches(interval, digest), options: { backfillPeriod: 0, maxAttempts: 1 } },
  ...costCron,
];
