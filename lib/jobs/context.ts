// What a task needs from its process: the database and the adapter runtime limits. Workers use the
// process-wide client (DATABASE_URL); a test that runs jobs in its own process points them at its
// test database with configureJobs().
import type { AdapterRuntimeOptions } from '@/providers/types';
import { db as processDb, type Db } from '../db/client';

interface JobContext {
  db?: Db;
  runtime?: AdapterRuntimeOptions;
  /** First retry delay of a failed job (doubles per attempt, jittered). Tests shorten it. */
  backoffBaseMs?: number;
}

let context: JobContext = {};

export function configureJobs(next: JobContext): void {
  context = { ...context, ...next };
}

export function jobDb(): Db {
  return context.db ?? processDb();
}

/** Adapter limits for work done by jobs: long operations may take minutes; polling per PROVIDER_POLL_INTERVAL_MS. */
export function jobRuntime(): AdapterRuntimeOptions {
  const pollIntervalMs = Number(process.env.PROVIDER_POLL_INTERVAL_MS ?? 1000);
  return context.runtime ?? { requestTimeoutMs: 15_000, maxRetries: 2, pollIntervalMs, operationTimeoutMs: 10 * 60_000 };
}

export function jobBackoffBaseMs(): number | undefined {
  return context.backoffBaseMs;
}

export const WORKER_ACTOR = { type: 'system', label: 'worker' } as const;
