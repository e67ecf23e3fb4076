// Enqueueing (contract 2): graphile-worker's own SQL function, called inside the caller's
// transaction so a job exists exactly when the change that asked for it committed.
import type { EnqueueOptions, Tx } from './types';

/** Schema graphile-worker's migrator creates (see lib/jobs/migrate.ts). */
export const JOBS_SCHEMA = 'graphile_worker';

/** Adds (or, with a jobKey, replaces) a job and returns graphile-worker's job id. */
export async function addJob(tx: Tx, task: string, payload: Record<string, unknown>, options: EnqueueOptions = {}): Promise<string> {
  const rows = await tx.$queryRaw<{ id: bigint | string | number }[]>`
    SELECT (graphile_worker.add_job(
      ${task}::text,
      ${JSON.stringify(payload)}::json,
      queue_name => ${options.queueName ?? null}::text,
      run_at => ${options.runAt ?? null}::timestamptz,
      max_attempts => ${options.maxAttempts ?? null}::int,
      job_key => ${options.jobKey ?? null}::text,
      priority => ${options.priority ?? null}::int
    )).id AS id`;
  return String(rows[0]!.id);
}

export async function enqueueJob(tx: Tx, task: string, payload: Record<string, unknown>, options: EnqueueOptions = {}): Promise<void> {
  await addJob(tx, task, payload, options);
}

export interface JobSpec {
  task: string;
  payload: Record<string, unknown>;
  options?: EnqueueOptions;
}

/** Adds many jobs in one statement (graphile-worker's add_jobs), inside the caller's transaction. */
export async function enqueueJobs(tx: Tx, jobs: JobSpec[]): Promise<void> {
  if (jobs.length === 0) return;
  const specs = jobs.map(({ task, payload, options = {} }) => ({
    identifier: task,
    payload,
    queue_name: options.queueName ?? null,
    run_at: options.runAt?.toISOString() ?? null,
    max_attempts: options.maxAttempts ?? null,
    job_key: options.jobKey ?? null,
    priority: options.priority ?? null,
  }));
  await tx.$queryRaw`
    SELECT count(*)::int AS n FROM graphile_worker.add_jobs(
      array(SELECT json_populate_recordset(null::graphile_worker.job_spec, ${JSON.stringify(specs)}::json))
    )`;
}

/** Removes a waiting job by key (a running job is left alone: it finishes, then is gone). */
export async function removeJobByKey(tx: Tx, jobKey: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS ok FROM graphile_worker.remove_job(${jobKey}::text)`;
}
