import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/generated/prisma/client';
import { createPgPool } from './pg-pool';

export type Db = PrismaClient;

export function createPrismaClient(connectionString: string, options: { max?: number } = {}): PrismaClient {
  const pool = createPgPool(connectionString, { max: options.max });
  return new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
}

const globalForDb = globalThis as unknown as { skyportDb?: PrismaClient };

/**
 * The process-wide client (web process or worker). Reused across Next.js hot reloads so dev mode
 * does not leak pools.
 */
export function db(): PrismaClient {
  if (!globalForDb.skyportDb) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set (npm start sets it for the embedded database).');
    globalForDb.skyportDb = createPrismaClient(url, { max: Number(process.env.DATABASE_POOL_MAX ?? 10) });
  }
  return globalForDb.skyportDb;
}
