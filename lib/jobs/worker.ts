// The job worker: graphile-worker's runner over the app's task and cron lists, used in the web
// process (scripts/start.ts) and as separate processes (scripts/worker.ts, `npm run worker`).
//
// Crash recovery: graphile-worker releases jobs locked by a worker that vanished only after
// 4 hours. Each of our worker pools therefore keeps one connection whose application_name names
// its pool; PostgreSQL drops that session the moment the process dies (even on kill -9), and every
// live worker periodically unlocks jobs whose locking pool has no session left. Jobs are
// idempotent (observe before create), so running a half-done job again is safe.
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { parseCronItems, run, type Runner, type WorkerEvents } from 'graphile-worker';
import { createPgClient } from '../db/pg-pool';
import { jobAdapters } from './adapter-cache';
import { migrateJobsSchema, quietLogger } from './migrate';
import type { CronItem, TaskList } from './types';
// Workers talk to providers: register every adapter.
import '../../providers/all';

const LIVENESS_PREFIX = 'skyport-worker:';
/** A pool is only presumed dead this long after it locked the job (its liveness session may still be connecting). */
const REAP_GRACE_SECONDS = 5;
const REAP_INTERVAL_MS = 3_000;
/** Workers running in this process: the shared adapters are closed when the last one stops. */
let runningWorkers = 0;

export interface WorkerOptions {
  connectionString: string;
  concurrency: number;
  tasks?: TaskList;
  cron?: CronItem[];
  /** How often to look for jobs scheduled in the future (new jobs arrive by LISTEN/NOTIFY at once). */
  pollIntervalMs?: number;
  /** How long in-flight jobs get to finish on shutdown before they are aborted and released. */
  shutdownTimeoutMs?: number;
  /**
   * Jobs each pool fetches (and locks) per query, handed to its workers from memory (graphile's
   * localQueue). Default concurrency + 1: a slot that finishes takes the next job without a round
   * trip. 1 fetches per job. Jobs locked by a pool that dies are released by the reaper below.
   */
  localQueueSize?: number;
}

/**
 * Completions wait this long to be sent as one statement (graphile's completeJobBatchDelay). The
 * worker does not wait for it (graphile sends completions in the background and the slot takes
 * its next job at once), so the delay costs no throughput or latency; a longer one puts more
 * completions in each statement (at ~50 jobs/s, 5 ms sent about one per job, 25 ms two or three).
 * A job completed in its task but not yet deleted when the process dies runs again: the tasks are
 * idempotent (a create_vm job that already succeeded is skipped at its claim).
 */
const COMPLETE_BATCH_DELAY_MS = 25;

export interface RunningWorker {
  poolIds: string[];
  /** Graceful: stop taking jobs, let in-flight jobs finish (or release them at the timeout). */
  stop(): Promise<void>;
  /** Resolves when the runner ends on its own (fatal error). */
  promise: Promise<void>;
}

/** Unlocks jobs whose locking worker pool no longer has a liveness session. Returns the pools released. */
export async function releaseJobsOfDeadWorkers(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ locked_by: string }>(
    `SELECT DISTINCT locked_by FROM graphile_worker._private_jobs j
      WHERE locked_by IS NOT NULL AND locked_at < now() - make_interval(secs => $2)
        AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = $1 || j.locked_by)`,
    [LIVENESS_PREFIX, REAP_GRACE_SECONDS],
  );
  const dead = rows.map((r) => r.locked_by);
  if (dead.length) await client.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [dead]);
  return dead;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  await migrateJobsSchema(options.connectionString);
  const taskList = options.tasks ?? (await import('./registry')).tasks;
  const cron = options.cron ?? (await import('./registry')).cron;

  // Shared by the pool:create handler's SET, the reaper and shutdown: its queries queue (pg-pool.ts).
  const client = createPgClient(options.connectionString, { applicationName: 'skyport-worker' });
  await client.connect();
  client.on('error', (error) => console.error(`[worker] liveness connection lost: ${error.message}`));
  const poolIds: string[] = [];
  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  events.on('pool:create', ({ workerPool }) => {
    poolIds.push(workerPool.id);
    // Queued now, synchronously in the event, so it is sent before anything queued later; the pool
    // fetches its first job on its own connections after this event.
    client.query(`SET application_name = '${LIVENESS_PREFIX}${workerPool.id.replace(/[^a-z0-9-]/gi, '')}'`).catch(() => undefined);
  });

  await releaseJobsOfDeadWorkers(client).catch(() => []);
  const runner: Runner = await run({
    connectionString: options.connectionString,
    concurrency: options.concurrency,
    maxPoolSize: options.concurrency + 2,
    taskList,
    parsedCronItems: parseCronItems(cron),
    pollInterval: options.pollIntervalMs ?? 1_000,
    noHandleSignals: true,
    gracefulShutdownAbortTimeout: options.shutdownTimeoutMs ?? 30_000,
    logger: quietLogger,
    events,
    preset: {
      worker: {
        localQueue: { size: options.localQueueSize ?? options.concurrency + 1 },
        completeJobBatchDelay: COMPLETE_BATCH_DELAY_MS,
      },
    },
  });

  runningWorkers++;
  let reaping: Promise<unknown> | null = null;
  const reaper = setInterval(() => {
    // Released jobs are picked up by the next poll (pollInterval).
    reaping ??= releaseJobsOfDeadWorkers(client)
      .catch(() => undefined)
      .finally(() => (reaping = null));
  }, REAP_INTERVAL_MS);
  reaper.unref();

  let stopped = false;
  return {
    poolIds,
    promise: runner.promise,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(reaper);
      await runner.stop().catch((error: unknown) => console.error('[worker] shutdown:', error));
      // Whatever our pools still hold now is no longer being worked on (a job fetched as the pool
      // stopped); hand it back at once instead of waiting for another worker's reaper.
      await reaping; // the connection ends after the reaper's queries
      if (poolIds.length) await client.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [poolIds]).catch(() => undefined);
      await client.end().catch(() => undefined);
      // Crossplane's Disconnecter for the adapters jobs shared: log out sessions, close sockets.
      if (--runningWorkers === 0) await jobAdapters.closeAll();
    },
  };
}
