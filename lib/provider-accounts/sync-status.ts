// Sync status per account ("*") and per region in ProviderSyncStatus: started / finished with
// counts or an error, and the progress of a running sync (regions done, VMs listed so far).
import type { Db } from '../db/client';

/** The account as a whole in ProviderSyncStatus. */
export const ACCOUNT_STATUS_REGION = '*';
/** Progress rows are rewritten at most this often while a sync runs (one tiny UPDATE). */
const PROGRESS_INTERVAL_MS = 1_000;

export interface SyncCounts {
  discovered: number;
  created: number;
  updated: number;
  removed: number;
  unmanaged: number;
  drifted: number;
}

type StatusWriter = Pick<Db, 'providerSyncStatus'>;

export async function markStarted(
  db: StatusWriter,
  accountId: string,
  regionCode: string,
  at: Date,
  account?: { regionsTotal: number; jobId: string | null },
) {
  const progress = { running: true, lastStartedAt: at, seen: 0, ...(account ? { regionsDone: 0, regionsTotal: account.regionsTotal, jobId: account.jobId } : {}) };
  await db.providerSyncStatus.upsert({
    where: { providerAccountId_regionCode: { providerAccountId: accountId, regionCode } },
    create: { providerAccountId: accountId, regionCode, ...progress },
    update: progress,
  });
}

export async function finishStatus(
  db: StatusWriter,
  accountId: string,
  regionCode: string,
  started: Date,
  outcome: ({ error: null } & SyncCounts) | { error: string },
) {
  const now = new Date();
  const timing = { running: false, lastFinishedAt: now, durationMs: now.getTime() - started.getTime() };
  const data =
    outcome.error !== null
      ? { ...timing, lastErrorAt: now, lastError: outcome.error.slice(0, 2000) }
      : {
          ...timing,
          lastSuccessAt: now,
          lastError: null,
          seen: outcome.discovered,
          discovered: outcome.discovered,
          created: outcome.created,
          updated: outcome.updated,
          removed: outcome.removed,
          unmanaged: outcome.unmanaged,
          drifted: outcome.drifted,
        };
  await db.providerSyncStatus.upsert({
    where: { providerAccountId_regionCode: { providerAccountId: accountId, regionCode } },
    create: { providerAccountId: accountId, regionCode, ...data },
    update: data,
  });
}

/** Progress of one running account sync, written to its "*" row and the current region's row. */
export class SyncProgress {
  private listedBefore = 0;
  private lastWrite = 0;

  constructor(
    private readonly db: Db,
    private readonly accountId: string,
  ) {}

  /** VMs listed so far in `region` (throttled: at most one write per PROGRESS_INTERVAL_MS). */
  async listed(region: string, inRegion: number): Promise<void> {
    const now = Date.now();
    if (now - this.lastWrite < PROGRESS_INTERVAL_MS) return;
    this.lastWrite = now;
    const total = this.listedBefore + inRegion;
    await this.db.$executeRaw`
      UPDATE "ProviderSyncStatus" SET "seen" = CASE WHEN "regionCode" = ${ACCOUNT_STATUS_REGION} THEN ${total}::int ELSE ${inRegion}::int END,
        "updatedAt" = now()::timestamp(3)
      WHERE "providerAccountId" = ${this.accountId} AND "regionCode" IN (${ACCOUNT_STATUS_REGION}, ${region}) AND "running"`;
  }

  /** A region finished (successfully or not): counted on the account row. */
  async regionDone(listedInRegion: number): Promise<void> {
    this.listedBefore += listedInRegion;
    await this.db.$executeRaw`
      UPDATE "ProviderSyncStatus" SET "regionsDone" = "regionsDone" + 1, "seen" = ${this.listedBefore}::int, "updatedAt" = now()::timestamp(3)
      WHERE "providerAccountId" = ${this.accountId} AND "regionCode" = ${ACCOUNT_STATUS_REGION}`;
    this.lastWrite = Date.now();
  }
}

/** Sync status of an account: the account row ("*") first, then one row per region. */
export async function syncStatuses(db: Db, accountId: string) {
  const rows = await db.providerSyncStatus.findMany({ where: { providerAccountId: accountId }, orderBy: { regionCode: 'asc' } });
  return rows.sort((a, b) => Number(b.regionCode === ACCOUNT_STATUS_REGION) - Number(a.regionCode === ACCOUNT_STATUS_REGION));
}
