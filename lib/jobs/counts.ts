// Queue counts read straight from graphile-worker's tables (for /api/health and the jobs page);
// deliberately free of heavy imports so the health route stays light.
import type { JobPage } from './schemas';
import type { Tx } from './types';

/** graphile-worker's queue, per task: waiting, running (locked), retrying, permanently failed. */
export async function queueSummary(db: Tx): Promise<JobPage['queue']> {
  const rows = await db.$queryRaw<{ task: string; waiting: bigint; running: bigint; retrying: bigint; failed: bigint; last_error: string | null }[]>`
    SELECT t.identifier AS task,
      count(*) FILTER (WHERE j.locked_at IS NULL AND j.attempts = 0) AS waiting,
      count(*) FILTER (WHERE j.locked_at IS NOT NULL) AS running,
      count(*) FILTER (WHERE j.locked_at IS NULL AND j.attempts > 0 AND j.attempts < j.max_attempts) AS retrying,
      count(*) FILTER (WHERE j.attempts >= j.max_attempts) AS failed,
      (array_agg(j.last_error ORDER BY j.updated_at DESC) FILTER (WHERE j.last_error IS NOT NULL))[1] AS last_error
    FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
    GROUP BY t.identifier ORDER BY t.identifier`;
  return rows.map((r) => ({ task: r.task, waiting: Number(r.waiting), running: Number(r.running), retrying: Number(r.retrying), failed: Number(r.failed), lastError: r.last_error?.slice(0, 500) ?? null }));
}

/** Counts for /api/health: how much work is waiting, running, retrying or stuck in failure. */
export async function jobCounts(db: Tx): Promise<{ waiting: number; running: number; retrying: number; failed: number }> {
  const queue = await queueSummary(db);
  return queue.reduce((sum, q) => ({ waiting: sum.waiting + q.waiting, running: sum.running + q.running, retrying: sum.retrying + q.retrying, failed: sum.failed + q.failed }), { waiting: 0, running: 0, retrying: 0, failed: 0 });
}

