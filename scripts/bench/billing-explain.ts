// `npx tsx scripts/bench/billing-explain.ts <data dir>`: where the resource breakdown's time goes, on
// a cluster kept by `bench:billing` (BENCH_DATA_DIR). Every statement getCostBreakdown sends is
// recorded with its start offset (the round trips in sequence), then re-run under
// EXPLAIN (ANALYZE, BUFFERS). Run it under the bench lock like a bench.
import { Prisma } from '@/generated/prisma/client';
import pg from 'pg';
import { getCostBreakdown } from '../../lib/billing/costs';
import type { CostFilters } from '../../lib/billing/schemas';
import { createPrismaClient } from '../../lib/db/client';
import { freePort, startEmbeddedPostgres } from '../../lib/db/embedded';

interface Recorded {
  text: string;
  values: unknown[];
  startMs: number;
}

async function main() {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: billing-explain.ts <BENCH_DATA_DIR>');
  const embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'skyport' });
  const db = createPrismaClient(embedded.url, { max: 4 });
  const client = new pg.Client({ connectionString: embedded.url });
  await client.connect();
  let recording: Recorded[] | null = null;
  let t0 = 0;
  const original = db.$queryRaw.bind(db) as (query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => Promise<unknown>;
  // Records each statement as Prisma sends it (same text and parameters), then lets it run.
  (db as unknown as { $queryRaw: typeof original }).$queryRaw = (query, ...values) => {
    const s = Array.isArray(query) ? Prisma.sql(query as TemplateStringsArray, ...values) : (query as Prisma.Sql);
    const entry: Recorded = { text: s.text, values: s.values, startMs: performance.now() - t0 };
    recording?.push(entry);
    // Returned as is: a batch $transaction needs Prisma's own (lazy) promise, so only the start is recorded.
    return original(query, ...values);
  };
  try {
    const cases: [string, CostFilters][] = [
      ['week', { start: '2025-06-01', end: '2025-06-08', provider: 'AWS' }],
      ['month', { start: '2025-06-01', end: '2025-07-01', provider: 'AWS' }],
    ];
    for (const [name, filters] of cases) {
      for (let i = 0; i < 5; i++) await getCostBreakdown(db, { all: true }, filters, { groupBy: 'resource', limit: 100 });
      recording = [];
      t0 = performance.now();
      await getCostBreakdown(db, { all: true }, filters, { groupBy: 'resource', limit: 100 });
      const total = performance.now() - t0;
      const statements = recording;
      recording = null;
      console.log(`\n===== ${name}: ${total.toFixed(1)} ms, ${statements.length} statements`);
      for (const s of statements) console.log(`  starts at ${s.startMs.toFixed(1)} ms: ${s.text.replace(/\s+/g, ' ').slice(0, 140)}`);
      for (const s of statements) {
        const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${s.text}`, s.values);
        console.log(`\n--- ${s.text.replace(/\s+/g, ' ').slice(0, 200)}`);
        console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
      }
    }
  } finally {
    await client.end();
    await db.$disconnect();
    await embedded.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
