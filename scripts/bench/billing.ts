// `npm run bench:billing`: the FOCUS importer and the cost explorer queries on an embedded PostgreSQL.
//   import: BENCH_IMPORT_ROWS (default 1,000,000) generated FOCUS rows (one provider account, one
//           billing month: the usual export) → rows/s, peak RSS of this process while importing, and
//           the ratio to a bare COPY of the same CSV into an UNLOGGED all-text table.
//   queries: BENCH_QUERY_ROWS (default 10,000,000) cost rows (generated in SQL into partitions, the
//           daily and tag rollups rebuilt as an import would; the tag rollup's build timed) → p95 of
//           getCostSummary, getCostBreakdown and listCostLineItems. BENCH_SKIP_IMPORT=1 with
//           BENCH_DATA_DIR=<dir>: the cluster is kept there and the next such run reuses its rows.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { getCostBreakdown, getCostSummary, listCostLineItems } from '../../lib/billing/costs';
import type { ImportResult } from '../../lib/billing/importer';
import { scopeKeyFor } from '../../lib/billing/normalize';
import { ensureMonthPartition, leafTable, monthTable, rebuildRollup } from '../../lib/billing/partitions';
import { resourceRollupSql } from '../../lib/billing/resource-rollup';
import { tagRollupSql } from '../../lib/billing/tag-rollup';
import { createPrismaClient } from '../../lib/db/client';
import { freePort, startEmbeddedPostgres } from '../../lib/db/embedded';
import { deployMigrations } from '../../lib/db/migrations/engine';
import { machineLine, writeBenchmarkSection } from './report';

const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
/** 1 (default): the 40 projects the rows' `project` tags name exist, so every row links (as in a real estate). */
const LINK_PROJECTS = process.env.BENCH_LINK !== '0';
/** 0: import part only (the 10 M-row query seed and the query timings are skipped, nothing is written). */
const QUERY_ROWS = Number(process.env.BENCH_QUERY_ROWS ?? 10_000_000);
/** 0: skip the one-connection comparison import. */
const SINGLE_CONNECTION = process.env.BENCH_SINGLE !== '0';
const QUERY_RUNS = 30;
/** 1: query part only (no import leg; the query rows are printed, nothing is written). */
const SKIP_IMPORT = process.env.BENCH_SKIP_IMPORT === '1';
/** Loading connections of the typed COPY (default: the importer's choice by file size and cores). */
const SHARDS = process.env.BENCH_SHARDS ? Number(process.env.BENCH_SHARDS) : undefined;
/**
 * A directory to keep the embedded cluster in (kept after the run): with BENCH_SKIP_IMPORT=1 a second
 * run reuses the seeded query rows instead of generating 10 M rows again (minutes). Unset: a temp dir, removed.
 */
const DATA_DIR = process.env.BENCH_DATA_DIR;

interface ChildImport {
  result: ImportResult;
  seconds: number;
  /** CPU seconds of the importing process (Node). */
  cpuSeconds: number;
  /** CPU seconds PostgreSQL's processes (backends, parallel workers) used meanwhile: less host noise than wall time. */
  pgCpuSeconds: number;
  rssBeforeKiB: number;
  peakRssKiB: number;
  shards: number;
}

/**
 * CPU seconds of the embedded server: the postmaster's own and its exited children's (backends and
 * parallel workers are reaped by it), from /proc (Linux; 0 elsewhere).
 */
function serverCpuSeconds(dataDir: string): number {
  try {
    const pid = fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]!.trim();
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / 100; // utime stime cutime cstime (clock ticks)
  } catch {
    return 0;
  }
}

/** Runs scripts/bench/billing-import-child.ts (same Node, same tsx loader) and reads its one JSON line. */
function importInChild(url: string, file: string, shards?: number): ChildImport {
  const dataDir = path.dirname(file);
  const serverBefore = serverCpuSeconds(dataDir);
  const child = spawnSync(process.execPath, [...process.execArgv, path.join(import.meta.dirname, 'billing-import-child.ts'), url, file, ...(shards ? [String(shards)] : [])], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`import child failed: ${child.stderr}`);
  const line = child.stdout.trim().split('\n').pop()!;
  const parsed = JSON.parse(line) as Omit<ChildImport, 'shards' | 'pgCpuSeconds'>;
  // The child's backends have exited (it disconnected); the postmaster reaps them at once.
  spawnSync('sleep', ['0.3']);
  return { ...parsed, pgCpuSeconds: serverCpuSeconds(dataDir) - serverBefore, shards: parsed.result.shards ?? 1 };
}

const SERVICES = [['Compute', 'EC2'], ['Storage', 'S3'], ['Databases', 'RDS'], ['Networking', 'VPC'], ['Compute', 'Lambda']] as const;
const REGIONS = ['eu-west-1', 'us-east-1', 'eu-central-1', 'ap-southeast-2'];

async function writeFocusCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const header = 'BillingAccountId,BillingAccountName,SubAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeFrequency,BilledCost,EffectiveCost,ListCost,BillingCurrency,PricingQuantity,PricingUnit,ProviderName,PublisherName,InvoiceIssuerName,RegionId,ResourceId,ResourceName,ServiceCategory,ServiceName,SkuId,Tags\n';
  out.write(header);
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    const dayOfMonth = i % 30;
    const hour = Math.floor(i / 30) % 24;
    const start = `2026-01-${String(dayOfMonth + 1).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;
    const end = `2026-01-${String(dayOfMonth + 1).padStart(2, '0')}T${String(hour).padStart(2, '0')}:59:59Z`;
    const [category, service] = SERVICES[i % SERVICES.length]!;
    const cost = ((i % 9973) / 10_000 + 0.0001).toFixed(6);
    buffer += `123456789012,Bench Co,sub-${i % 20},2026-01-01T00:00:00Z,2026-02-01T00:00:00Z,${start},${end},Usage,Usage-Based,${cost},${cost},${cost},USD,1,Hours,AWS,AWS,AWS,${REGIONS[i % REGIONS.length]},i-${(i % 50_000).toString(16).padStart(8, '0')},vm-${i % 50_000},${category},${service},SKU-${i % 300},"{""project"": ""p${i % 40}"", ""env"": ""prod""}"\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((r) => out.once('drain', () => r()));
      buffer = '';
    }
  }
  out.end(buffer);
  await new Promise<void>((r) => out.once('finish', () => r()));
}

async function bareCopy(url: string, file: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const head = Buffer.alloc(4096);
    const fd = fs.openSync(file, 'r');
    fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    const columns = head.toString('utf8').split('\n')[0]!.split(',');
    await client.query(`CREATE UNLOGGED TABLE bench_bare (${columns.map((c) => `"${c}" text`).join(', ')})`);
    const started = performance.now();
    await pipeline(createReadStream(file), client.query(copyStreams.from(`COPY bench_bare FROM STDIN WITH (FORMAT csv, HEADER true)`)));
    const seconds = (performance.now() - started) / 1000;
    await client.query('DROP TABLE bench_bare');
    return seconds;
  } finally {
    await client.end();
  }
}

/** 10M-row scale for the queries: rows generated in SQL straight into leaf partitions, 12 months × 4 accounts. */
async function seedQueryRows(url: string, db: ReturnType<typeof createPrismaClient>, rows: number): Promise<void> {
  const marker = DATA_DIR ? path.join(DATA_DIR, `query-rows-${rows}`) : null;
  const months = Array.from({ length: 12 }, (_, m) => `2025-${String(m + 1).padStart(2, '0')}-01`);
  const providers = ['AWS', 'Microsoft', 'Google Cloud', 'VMware (on-prem)'];
  if (marker && fs.existsSync(marker)) {
    console.log(`reusing the ${rows} query rows seeded in ${DATA_DIR}`);
    // Rebuilt on every run: it times the tag and resource rollups' builds (and a cluster seeded before they existed gets them).
    await seedTagRollups(url, months, providers);
    await seedResourceRollups(url, months, providers);
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const perLeaf = Math.ceil(rows / (months.length * providers.length));
    for (const month of months) {
      await ensureMonthPartition(db, month);
      for (const provider of providers) {
        const scope = scopeKeyFor(provider, 'bench');
        const leaf = leafTable(month, scope);
        await client.query(`CREATE TABLE "${leaf}" (LIKE "CostRecord" INCLUDING DEFAULTS)`);
        await client.query(
          `INSERT INTO "${leaf}" ("id", "billingMonth", "scopeKey", "billingAccountId", "subAccountId", "billingPeriodStart", "billingPeriodEnd",
             "chargePeriodStart", "chargePeriodEnd", "chargeCategory", "billedCost", "effectiveCost", "billingCurrency", "providerName",
             "regionId", "resourceId", "serviceCategory", "serviceName", "tags")
           SELECT md5(g::text || $3), $1::date, $2, 'bench', 'sub-' || (g % 20), $1::timestamp, ($1::date + interval '1 month'),
             $1::timestamp + (g % (28 * 24)) * interval '1 hour', $1::timestamp + (g % (28 * 24) + 1) * interval '1 hour', 'Usage',
             ((g % 9973) / 10000.0 + 0.0001)::numeric(20,6), ((g % 9973) / 12000.0)::numeric(20,6), 'USD', $3,
             (ARRAY['eu-west-1','us-east-1','eu-central-1','ap-southeast-2'])[1 + g % 4], 'r-' || (g % 50000),
             (ARRAY['Compute','Storage','Databases','Networking'])[1 + g % 4], (ARRAY['VM','Object storage','SQL','VPC','Functions'])[1 + g % 5],
             jsonb_build_object('project', 'p' || (g % 40))
           FROM generate_series(1, $4::int) g`,
          [month, scope, provider, perLeaf],
        );
        await client.query(`ALTER TABLE "${leaf}" ADD PRIMARY KEY ("id", "billingMonth", "scopeKey")`);
        await client.query(`ALTER TABLE "${monthTable(month)}" ATTACH PARTITION "${leaf}" FOR VALUES IN ('${scope}')`);
        await rebuildRollup(db, month, scope);
      }
      process.stdout.write(`seeded ${month}\n`);
    }
    await seedTagRollups(url, months, providers);
    await seedResourceRollups(url, months, providers);
    await client.query('ANALYZE');
    if (marker) fs.writeFileSync(marker, '');
  } finally {
    await client.end();
  }
}

/** The results-table row of the tag rollup's build (set by seedTagRollups). */
let tagRollupRow: string | null = null;

/** A reader of the CPU seconds one connection's backend has used, from /proc (Linux; 0 elsewhere). */
async function backendCpuReader(client: pg.Client): Promise<() => number> {
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return () => {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime (clock ticks)
    } catch {
      return 0;
    }
  };
}

/** The tag keys an import rolls up by default (the default project / cost-centre mapping's). */
const BENCH_TAG_KEYS = ['cost-center', 'project'];

/**
 * Each leaf's CostTagRollup, built as the swap builds it, on one connection whose backend CPU is
 * read from /proc: the tag rollup's cost per imported row (what it adds to an import, after its swap).
 */
async function seedTagRollups(url: string, months: string[], providers: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const cpu = await backendCpuReader(client);
    const before = cpu();
    const started = performance.now();
    let leafRows = 0;
    for (const month of months) {
      for (const provider of providers) {
        const scope = scopeKeyFor(provider, 'bench');
        await client.query('BEGIN');
        await client.query(tagRollupSql.deleteRows, [month, scope]);
        await client.query(tagRollupSql.deleteKeys, [month, scope]);
        await client.query(tagRollupSql.insertKeys, [month, scope, BENCH_TAG_KEYS]);
        const planner = (await client.query<{ sort: string; incremental: string }>(tagRollupSql.hashOnly)).rows[0]!;
        await client.query(tagRollupSql.insertRows(leafTable(month, scope), BENCH_TAG_KEYS.length), BENCH_TAG_KEYS);
        await client.query(tagRollupSql.restorePlanner, [planner.sort, planner.incremental]);
        await client.query('COMMIT');
        leafRows += Number((await client.query<{ n: string }>(`SELECT sum("rowCount") AS n FROM "CostDailyRollup" WHERE "billingMonth" = $1::date AND "scopeKey" = $2`, [month, scope])).rows[0]!.n);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpu() - before;
    const tagRows = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM "CostTagRollup"')).rows[0]!.n);
    console.log(
      `tag rollup (${BENCH_TAG_KEYS.join(', ')}) of ${leafRows.toLocaleString('en-US')} rows: ${tagRows.toLocaleString('en-US')} rollup rows, ${seconds.toFixed(1)} s, ` +
        `backend CPU ${cpuSeconds.toFixed(2)} s = ${((cpuSeconds * 1e6) / leafRows).toFixed(2)} CPU-s per 1M rows`,
    );
    tagRollupRow = `| tag rollup build (keys ${BENCH_TAG_KEYS.join(', ')}; built after the import's swap commits), CPU seconds per 1M rows | ${((cpuSeconds * 1e6) / leafRows).toFixed(2)} | |`;
  } finally {
    await client.end();
  }
}

/** The results-table row of the resource rollup's build (set by seedResourceRollups). */
let resourceRollupRow: string | null = null;

/** Each leaf's CostResourceRollup, built as an import builds it after its swap; backend CPU from /proc, as seedTagRollups. */
async function seedResourceRollups(url: string, months: string[], providers: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const cpu = await backendCpuReader(client);
    const before = cpu();
    const started = performance.now();
    for (const month of months) {
      for (const provider of providers) {
        const scope = scopeKeyFor(provider, 'bench');
        await client.query('BEGIN');
        await client.query(resourceRollupSql.deleteRows, [month, scope]);
        await client.query(resourceRollupSql.deleteLeaf, [month, scope]);
        await client.query(resourceRollupSql.workMem);
        await client.query(resourceRollupSql.insertRows(leafTable(month, scope)), [month, scope]);
        await client.query(resourceRollupSql.insertLeaf, [month, scope]);
        await client.query('COMMIT');
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpu() - before;
    // Rebuilt on every run: vacuumed so the timed queries read a settled table, not the previous run's dead rows.
    await client.query('VACUUM ANALYZE "CostResourceRollup"');
    const { n, leafRows } = (await client.query<{ n: string; leafRows: string }>('SELECT count(*) AS n, sum("rowCount") AS "leafRows" FROM "CostResourceRollup"')).rows[0]!;
    console.log(
      `resource rollup of ${Number(leafRows).toLocaleString('en-US')} rows: ${Number(n).toLocaleString('en-US')} rollup rows, ${seconds.toFixed(1)} s, ` +
        `backend CPU ${cpuSeconds.toFixed(2)} s = ${((cpuSeconds * 1e6) / Number(leafRows)).toFixed(2)} CPU-s per 1M rows`,
    );
    resourceRollupRow = `| resource rollup build (per leaf, resource and rollup dimensions; built after the import's swap commits), CPU seconds per 1M rows | ${((cpuSeconds * 1e6) / Number(leafRows)).toFixed(2)} | |`;
  } finally {
    await client.end();
  }
}

async function p95(run: () => Promise<unknown>): Promise<{ p95: number; median: number }> {
  await run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < QUERY_RUNS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p95: times[Math.ceil(times.length * 0.95) - 1]!, median: times[Math.floor(times.length / 2)]! };
}

/** Seeds the query rows and times the explorer's queries: one results-table row each. */
async function queryLeg(url: string, db: ReturnType<typeof createPrismaClient>): Promise<string[]> {
  await seedQueryRows(url, db, QUERY_ROWS);
  const scope = { all: true } as const;
  const year = { start: '2025-01-01', end: '2026-01-01' };
  const week = { start: '2025-06-01', end: '2025-06-08', provider: 'AWS' };
  const month = { start: '2025-06-01', end: '2025-07-01' };
  const at = new Date('2025-06-15T12:00:00Z');
  const measures: [string, () => Promise<unknown>][] = [
    ['getCostSummary, one month', () => getCostSummary(db, scope, month, at)],
    ['getCostSummary, one year', () => getCostSummary(db, scope, year, at)],
    ['getCostBreakdown service × provider, one month', () => getCostBreakdown(db, scope, month, { groupBy: 'service', pivot: 'provider' })],
    ['getCostBreakdown by resource (raw rows), one provider, one week, top 100', () => getCostBreakdown(db, scope, week, { groupBy: 'resource', limit: 100 })],
    ['getCostBreakdown by tag `project` (tag rollup), one provider, one week', () => getCostBreakdown(db, scope, week, { groupBy: 'tag', tagKey: 'project' })],
    ['getCostBreakdown by resource (resource rollup), one provider, one month, top 100', () => getCostBreakdown(db, scope, { ...month, provider: 'AWS' }, { groupBy: 'resource', limit: 100 })],
    ['getCostBreakdown by tag `project` (tag rollup), all providers, one month', () => getCostBreakdown(db, scope, month, { groupBy: 'tag', tagKey: 'project' })],
    ['listCostLineItems, one provider, one week, page 1 of 50', () => listCostLineItems(db, scope, week, { page: 1, pageSize: 50 })],
    ['listCostLineItems, one resource (drill-down), one month', () => listCostLineItems(db, scope, { ...month, resourceId: 'r-4242' }, { page: 1, pageSize: 50 })],
    ['listCostLineItems, tag project = p7, one provider, one week', () => listCostLineItems(db, scope, { ...week, tagKey: 'project', tagValue: 'p7' }, { page: 1, pageSize: 50 })],
  ];
  const rows: string[] = [...(tagRollupRow ? [tagRollupRow] : []), ...(resourceRollupRow ? [resourceRollupRow] : [])];
  for (const [name, run] of measures) {
    const t = await p95(run);
    console.log(`${name}: p95 ${t.p95.toFixed(0)} ms, median ${t.median.toFixed(0)} ms`);
    rows.push(`| ${name}, p95 (median) | ${t.p95.toFixed(0)} ms (${t.median.toFixed(0)}) | ≤ 100 ms |`);
  }
  return rows;
}

async function main() {
  const reuse = !!DATA_DIR && SKIP_IMPORT;
  if (DATA_DIR && !SKIP_IMPORT) throw new Error('BENCH_DATA_DIR is for query-only runs (BENCH_SKIP_IMPORT=1): the import leg needs an empty cluster');
  const dataDir = DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'skyport-bench-billing-'));
  const seeded = reuse && fs.existsSync(path.join(dataDir, `query-rows-${QUERY_ROWS}`));
  const embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'skyport' });
  const db = createPrismaClient(embedded.url, { max: 4 });
  try {
    await deployMigrations(embedded.url);
    if (LINK_PROJECTS && !seeded) {
      const owner = await db.user.create({ data: { email: 'bench-owner@bench.test', name: 'Bench owner' } });
      await db.project.createMany({ data: Array.from({ length: 40 }, (_, i) => ({ key: `p${i}`, name: `Project ${i}`, costCentre: `CC-${i}`, ownerId: owner.id })) });
    }
    if (SKIP_IMPORT) {
      console.log((await queryLeg(embedded.url, db)).join('\n'));
      return;
    }
    const file = path.join(dataDir, 'focus.csv');
    await writeFocusCsv(file, IMPORT_ROWS);
    const bytes = fs.statSync(file).size;
    console.log(`generated ${IMPORT_ROWS} rows (${(bytes / 1024 ** 2).toFixed(0)} MiB); importing…`);
    // The import runs in a child process that does nothing else (as a worker's import job would),
    // so its peak RSS (the kernel's VmHWM) is the import's, not this generator's.
    const first = importInChild(embedded.url, file, SHARDS);
    const result = first.result;
    const importSeconds = first.seconds;
    if (result.status !== 'succeeded') throw new Error(`import failed: ${result.message}`);
    // The COPY path hands files it cannot take whole to the row path; a benchmark of the wrong path is no benchmark.
    if (result.engine !== 'copy') console.warn(`import ran on the row path: ${result.fallbackReason}`);
    if (result.copyMode !== 'typed') console.warn(`import did not take the typed COPY: ${result.typedFallbackReason}`);
    const linked = await db.costRecord.count({ where: { importId: result.importId, projectId: { not: null } } });
    console.log(`phases (ms): ${JSON.stringify(result.phaseMs)}; shards ${first.shards}; CPU s: Node ${first.cpuSeconds.toFixed(1)}, PostgreSQL ${first.pgCpuSeconds.toFixed(1)}`);
    const reimport = importInChild(embedded.url, file, SHARDS);
    const reimportSeconds = reimport.seconds;
    console.log(`re-import phases (ms): ${JSON.stringify(reimport.result.phaseMs)}; CPU s: Node ${reimport.cpuSeconds.toFixed(1)}, PostgreSQL ${reimport.pgCpuSeconds.toFixed(1)}`);
    // The same import on one connection, for what the shards bring on this machine.
    const single = first.shards > 1 && SINGLE_CONNECTION ? importInChild(embedded.url, file, 1) : null;
    const mib = (kib: number) => (kib / 1024).toFixed(0);
    console.log(
      `import ${importSeconds.toFixed(1)} s (${result.engine}/${result.copyMode ?? '-'}, ${linked} of ${result.rowCount} rows linked to projects), re-import ${reimportSeconds.toFixed(1)} s, ` +
        `${single ? `one connection ${single.seconds.toFixed(1)} s, ` : ''}peak RSS ${mib(first.peakRssKiB)} MiB (before: ${mib(first.rssBeforeKiB)} MiB); bare COPY…`,
    );
    const bareSeconds = await bareCopy(embedded.url, file);
    if (QUERY_ROWS === 0) {
      // Import part only: the figures a run of the importer needs, no docs written.
      console.log(
        `import ${Math.round(IMPORT_ROWS / importSeconds).toLocaleString('en-US')} rows/s, bare COPY ${bareSeconds.toFixed(1)} s, ` +
          `import ÷ bare COPY ${(importSeconds / bareSeconds).toFixed(1)}×, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
      );
      return;
    }

    const queryRows = await queryLeg(embedded.url, db);
    const totalRows = QUERY_ROWS + IMPORT_ROWS;

    const rate = Math.round(IMPORT_ROWS / importSeconds);
    const lines = [
      `## Billing (\`npm run bench:billing\`)`,
      '',
      `${machineLine()}, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)} at the end (other work on the machine), embedded PostgreSQL 18. Import: ${IMPORT_ROWS.toLocaleString('en-US')} generated FOCUS rows ` +
        `(${(bytes / 1024 ** 2).toFixed(0)} MiB CSV, one account-month). Queries: ${totalRows.toLocaleString('en-US')} cost rows in ${12 * 4 + 1} leaf partitions.`,
      '',
      '| measure | result | goal |',
      '| --- | ---: | ---: |',
      `| import rows/s (${result.copyMode === 'typed' ? 'one scan in Node with the links appended, typed COPY FREEZE per shard, rollup + checks in one scan' : result.engine === 'copy' ? 'COPY of the raw file, SQL validation, link, cast into staging' : 'parse, validate, link, COPY to staging'}, index, swap; engine \`${result.engine}\`${result.copyMode ? `/${result.copyMode}` : ''}; ${linked.toLocaleString('en-US')} rows linked to projects) | ${rate.toLocaleString('en-US')} | ≥ 100,000 |`,
      `| import wall time (${first.shards} loading connection${first.shards === 1 ? '' : 's'}; phases: ${Object.entries(result.phaseMs ?? {}).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}) | ${importSeconds.toFixed(1)} s | |`,
      // The rows are visible (import 'succeeded', totals exact) when the swap commits; the tag rollup follows.
      ...(result.phaseMs?.tagRollup !== undefined
        ? [`| rows visible (status succeeded: swap committed; the tag rollup is built after it, its breakdowns read raw rows meanwhile) | ${(importSeconds - result.phaseMs.tagRollup / 1000).toFixed(1)} s = ${Math.round(IMPORT_ROWS / (importSeconds - result.phaseMs.tagRollup / 1000)).toLocaleString('en-US')} rows/s | |`]
        : []),
      ...(single ? [`| the same import on one connection | ${single.seconds.toFixed(1)} s = ${Math.round(IMPORT_ROWS / single.seconds).toLocaleString('en-US')} rows/s | |`] : []),
      `| re-import of the same period (replace) | ${reimportSeconds.toFixed(1)} s | |`,
      `| peak RSS of the importing process (a child process doing only the import, kernel VmHWM; ${mib(first.rssBeforeKiB)} MiB before the import, with Node, Prisma and the importer loaded) | ${mib(first.peakRssKiB)} MiB | < 300 MiB |`,
      `| bare COPY of the same CSV into an UNLOGGED text table | ${bareSeconds.toFixed(1)} s | |`,
      `| import ÷ bare COPY | ${(importSeconds / bareSeconds).toFixed(1)}× | ≤ 2× |`,
      ...queryRows,
    ];
    lines.push(
      '',
      result.copyMode === 'typed'
        ? 'Typed COPY (lib/billing/typed-copy.ts): Node reads the bytes once (lib/billing/row-scanner.ts: cell checks, each row\'s link appended as three cells) ' +
            'and streams whole rows to COPY on one connection per shard, which types every cell (COPY FREEZE into tables created in the same transaction: ' +
            'no WAL with wal_level=minimal, no hint-bit rewrite later); each shard is rolled up and validated in one scan and indexed in its own transaction; ' +
            'the shards become the period\'s leaf (partitioned by id range), attached without a scan (CHECK constraints; links checked against their few ' +
            'distinct targets instead of NOT VALID foreign keys). Goals not met are shown as measured.'
        : result.engine === 'copy'
        ? 'Engine `copy` (lib/billing/copy-import.ts): Node only streams (and gunzips) the bytes into COPY; validation, ' +
            'normalisation and casts are set-based SQL, linking runs once per distinct (ResourceId, Tags). Goals not met are shown as measured.'
        : 'The import is CPU-bound in Node on one core (csv-parse, then validation and COPY text encoding); PostgreSQL COPY, ' +
            'index builds and the swap run on the other. Goals not met are shown as measured.',
    );
    const markdown = lines.join('\n');
    console.log(markdown);
    writeBenchmarkSection('billing', markdown);
  } finally {
    await db.$disconnect();
    await embedded.stop();
    if (!DATA_DIR) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
