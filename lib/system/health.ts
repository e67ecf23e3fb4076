import type { Db } from '../db/client';
import { jobCounts } from '../jobs/counts';

const startedAt = Date.now();

export async function checkHealth(db: Db) {
  let database: 'ok' | 'unreachable' = 'ok';
  try {
    await Promise.race([
      db.$queryRawUnsafe('SELECT 1'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3_000)),
    ]);
  } catch {
    database = 'unreachable';
  }
  // Job counts never decide health (a backlog is not an outage); they are there to be watched.
  const jobs = database === 'ok' ? await jobCounts(db).catch(() => null) : null;
  return {
    status: database === 'ok' ? ('ok' as const) : ('degraded' as const),
    database,
    version: process.env.npm_package_version ?? '0.1.0',
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    details: { jobs },
  };
}
