// "Sync now" (account page and API): queue the same background job the schedule uses and answer at
// once; the caller follows the sync through syncProgress (running, regions done, VMs seen, then
// the status per account and region).
import { z } from 'zod';
import type { ProviderSyncStatus } from '@/generated/prisma/client';
import { recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { ConflictError, NotFoundError } from '../errors';
import { enqueueAccountSync, syncJobKey } from '../inventory/tasks';
import { syncableRegions } from './sync';
import { ACCOUNT_STATUS_REGION, syncStatuses } from './sync-status';

const iso = z.string().max(40).nullable();

export const syncStatusRowSchema = z.object({
  /** Region code, or "*" for the account as a whole. */
  region: z.string().max(100),
  running: z.boolean(),
  lastStartedAt: iso,
  lastFinishedAt: iso,
  lastSuccessAt: iso,
  lastErrorAt: iso,
  lastError: z.string().max(2000).nullable(),
  durationMs: z.number().int().nullable(),
  /** VMs listed so far while running; after a success, the VMs found. */
  seen: z.number().int(),
  discovered: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  removed: z.number().int(),
  unmanaged: z.number().int(),
  drifted: z.number().int(),
});
export type SyncStatusRow = z.infer<typeof syncStatusRowSchema>;

export const syncProgressSchema = z.object({
  accountId: z.string(),
  /** idle: no sync waiting or running; queued: the job waits for a worker (or its retry); running. */
  state: z.enum(['idle', 'queued', 'running']),
  jobId: z.string().nullable(),
  regionsDone: z.number().int(),
  regionsTotal: z.number().int(),
  /** VMs listed so far in the running sync (or found by the last one). */
  seen: z.number().int(),
  /** Error of the job's last failed attempt while it waits for a retry. */
  retryError: z.string().nullable(),
  account: syncStatusRowSchema.nullable(),
  regions: z.array(syncStatusRowSchema),
});
export type SyncProgressView = z.infer<typeof syncProgressSchema>;

export const syncRequestResultSchema = z.object({
  accountId: z.string(),
  jobId: z.string(),
  /** queued: a new (or the waiting) job; running: a sync was already running and is the answer. */
  state: z.enum(['queued', 'running']),
  /** Poll this (GET, getProviderAccountSyncStatus) for progress and the outcome. */
  statusUrl: z.string(),
  /** The account's last sync finish before this request: the requested sync has ended when `state` is idle, with a newer finish. */
  previousFinishedAt: iso,
  progress: syncProgressSchema,
});
export type SyncRequestResult = z.infer<typeof syncRequestResultSchema>;

function rowView(row: ProviderSyncStatus): SyncStatusRow {
  const at = (d: Date | null) => d?.toISOString() ?? null;
  return {
    region: row.regionCode,
    running: row.running,
    lastStartedAt: at(row.lastStartedAt),
    lastFinishedAt: at(row.lastFinishedAt),
    lastSuccessAt: at(row.lastSuccessAt),
    lastErrorAt: at(row.lastErrorAt),
    lastError: row.lastError,
    durationMs: row.durationMs,
    seen: row.seen,
    discovered: row.discovered,
    created: row.created,
    updated: row.updated,
    removed: row.removed,
    unmanaged: row.unmanaged,
    drifted: row.drifted,
  };
}

interface SyncJobRow {
  id: string;
  locked: boolean;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
}

/** NotFoundError for an unknown account. */
export async function syncProgress(db: Db, accountId: string): Promise<SyncProgressView> {
  const [account, rows, jobs] = await Promise.all([
    db.providerAccount.findUnique({ where: { id: accountId }, select: { id: true } }),
    syncStatuses(db, accountId),
    db.$queryRaw<SyncJobRow[]>`
      SELECT id::text AS id, locked_at IS NOT NULL AS locked, attempts, max_attempts AS "maxAttempts", last_error AS "lastError"
      FROM graphile_worker.jobs WHERE key = ${syncJobKey(accountId)} LIMIT 1`,
  ]);
  if (!account) throw new NotFoundError('Provider account');
  const accountRow = rows.find((r) => r.regionCode === ACCOUNT_STATUS_REGION) ?? null;
  // A job that used up its attempts is not waiting for anything: the status rows tell its failure.
  const job = jobs.find((j) => j.locked || j.attempts < j.maxAttempts) ?? null;
  const running = job?.locked || (accountRow?.running ?? false);
  return {
    accountId,
    state: running ? 'running' : job ? 'queued' : 'idle',
    jobId: job?.id ?? (running ? accountRow?.jobId ?? null : null),
    regionsDone: accountRow?.regionsDone ?? 0,
    regionsTotal: accountRow?.regionsTotal ?? 0,
    seen: accountRow?.seen ?? 0,
    retryError: job && !job.locked && job.attempts > 0 ? job.lastError : null,
    account: accountRow ? rowView(accountRow) : null,
    regions: rows.filter((r) => r.regionCode !== ACCOUNT_STATUS_REGION).map(rowView),
  };
}

/**
 * Queue a sync of the account now (404 unknown account, 400 no enabled region, 409 disabled
 * account); a sync already waiting or running is the answer instead of a second one.
 */
export async function requestAccountSync(db: Db, accountId: string, audit: AuditContext): Promise<SyncRequestResult> {
  const { account } = await syncableRegions(db, accountId);
  if (!account.enabled) throw new ConflictError('This provider account is disabled: enable it before syncing.');
  const previous = await db.providerSyncStatus.findUnique({
    where: { providerAccountId_regionCode: { providerAccountId: account.id, regionCode: ACCOUNT_STATUS_REGION } },
    select: { lastFinishedAt: true },
  });
  const queued = await db.$transaction(async (tx) => {
    const result = await enqueueAccountSync(tx, account.id, audit.actor.label.slice(0, 320));
    await recordAudit(tx, audit, {
      action: 'provider_account.sync_requested',
      targetType: 'provider_account',
      targetId: account.id,
      after: { jobId: result.jobId, state: result.state },
    });
    return result;
  });
  return {
    accountId: account.id,
    ...queued,
    statusUrl: `/api/v1/provider-accounts/${encodeURIComponent(account.id)}/sync`,
    previousFinishedAt: previous?.lastFinishedAt?.toISOString() ?? null,
    progress: await syncProgress(db, account.id),
  };
}
