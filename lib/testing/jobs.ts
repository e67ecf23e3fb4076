// Test support for jobs (contract 2): run what is queued with graphile-worker's runOnce, so a test
// asserts on effects without a long-lived worker.
import pg from 'pg';
import { inject } from 'vitest';
import { runOnce } from 'graphile-worker';
import type { Db } from '../db/client';
import { withDatabase } from '../db/pg-pool';
import { quietLogger } from '../jobs/migrate';
import type { TaskList } from '../jobs/types';

async function connectionStringOf(target: Db | string): Promise<string> {
  if (typeof target === 'string') return target;
  const rows = await target.$queryRaw<{ name: string }[]>`SELECT current_database() AS name`;
  return withDatabase(inject('pgAdminUrl'), rows[0]!.name);
}

export interface RunJobsOptions {
  /** Defaults to every task of the app (lib/jobs/registry.ts). */
  tasks?: TaskList;
  /** Also run jobs scheduled in the future (retries with back-off): their run_at is pulled to now. */
  includeScheduled?: boolean;
  /** Safety stop for jobs that keep scheduling new jobs. Default 50. */
  maxRounds?: number;
}

/** Runs queued jobs until none is runnable; returns how many rounds it took. */
export async function runJobsUntilIdle(target: Db | string, options: RunJobsOptions = {}): Promise<number> {
  const connectionString = await connectionStringOf(target);
  const taskList = options.tasks ?? (await import('../jobs/registry')).tasks;
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const maxRounds = options.maxRounds ?? 50;
    for (let round = 1; round <= maxRounds; round++) {
      if (options.includeScheduled) {
        await client.query('UPDATE graphile_worker._private_jobs SET run_at = now() WHERE locked_at IS NULL AND run_at > now() AND attempts < max_attempts');
      }
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
         WHERE j.locked_at IS NULL AND j.run_at <= now() AND j.attempts < j.max_attempts AND t.identifier = ANY($1::text[])`,
        [Object.keys(taskList)],
      );
      if (Number(rows[0]!.n) === 0) return round - 1;
      await runOnce({ connectionString, taskList, logger: quietLogger, noHandleSignals: true, maxPoolSize: 2 });
    }
    return maxRounds;
  } finally {
    await client.end();
  }
}
