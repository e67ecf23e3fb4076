// Queries sent at once on one connection (Promise.all inside a Prisma interactive transaction) run
// one after another without pg's "client is already executing a query" deprecation warning.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type Db } from './client';
import { createPgPool } from './pg-pool';
import { createEmptyDatabase } from '../testing/db';

let url: string;
let db: Db;
const warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);

beforeAll(async () => {
  url = await createEmptyDatabase();
  db = createPrismaClient(url, { max: 2 });
  process.on('warning', onWarning);
});
afterAll(async () => {
  process.off('warning', onWarning);
  await db.$disconnect();
});

describe('pg client queue', () => {
  it('answers concurrent queries on one client in order, each with its own result', async () => {
    const pool = createPgPool(url, { max: 1 });
    const client = await pool.connect();
    try {
      const sleeps = [30, 0, 10, 0];
      const results = await Promise.all(sleeps.map((ms, i) => client.query<{ i: number; at: string }>(`SELECT $1::int AS i, clock_timestamp()::text AS at FROM pg_sleep($2::float / 1000)`, [i, ms])));
      expect(results.map((r) => r.rows[0]!.i)).toEqual([0, 1, 2, 3]);
      const times = results.map((r) => r.rows[0]!.at);
      expect([...times].sort()).toEqual(times); // in the order sent
      // A failing query does not stop the ones queued behind it.
      const mixed = await Promise.allSettled([client.query('SELECT 1/0'), client.query('SELECT 2 AS two')]);
      expect(mixed[0].status).toBe('rejected');
      expect(mixed[1]).toMatchObject({ status: 'fulfilled', value: { rows: [{ two: 2 }] } });
    } finally {
      client.release();
      await pool.end();
    }
    expect(warnings.filter((w) => /already executing a query/.test(w))).toEqual([]);
  });

  it('Promise.all inside an interactive transaction: results right, no deprecation warning', async () => {
    const rows = await db.$transaction(async (tx) =>
      Promise.all([1, 2, 3].map((n) => tx.$queryRaw<{ n: number }[]>`SELECT ${n}::int AS n, pg_sleep(0.01)::text AS s`)),
    );
    expect(rows.map((r) => r[0]!.n)).toEqual([1, 2, 3]);
    expect(warnings.filter((w) => /already executing a query/.test(w))).toEqual([]);
  });
});
