// `npm run bench:catalog`: the catalog and price book at size, on an embedded PostgreSQL in a temp
// folder (or DATABASE_URL). Measures
//   - importPrices of a 20,000-row CSV (all-or-nothing, one transaction) and the rejection of the
//     same file with one bad row (every row checked, nothing written)
//   - priceVm per call after one loadPriceContext (the request form prices every placement)
//   - listCatalog (the public catalog page) with 1,000 templates: p50/p95
//   - updateTemplate (a new immutable version) p50/p95
// and writes the results to docs/BENCHMARKS.md.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { auditContext, SYSTEM_ACTOR } from '../../lib/audit/record';
import { listCatalog } from '../../lib/catalog/listing';
import { importPrices, PriceImportError } from '../../lib/catalog/price-book';
import { loadPriceContext, priceVm } from '../../lib/catalog/pricing';
import { createTemplate, updateTemplate } from '../../lib/catalog/templates';
import { createPrismaClient } from '../../lib/db/client';
import { deployMigrations } from '../../lib/db/migrations/engine';
import { openBenchDatabase } from './database';
import { machineLine, writeBenchmarkSection } from './report';

const ROWS = Number(process.env.BENCH_PRICE_ROWS ?? 20_000);
const TEMPLATES = Number(process.env.BENCH_TEMPLATES ?? 1_000);
const PRICE_CALLS = Number(process.env.BENCH_PRICE_CALLS ?? 200_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30);

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
const KINDS = ['aws', 'azure', 'gcp'] as const;

async function main() {
  const bench = await openBenchDatabase('catalog');
  const url = bench.url;
  const db = createPrismaClient(url, { max: 10 });
  const audit = auditContext(SYSTEM_ACTOR);
  try {
    await deployMigrations(url);
    await db.priceBook.create({ data: { name: `Bench ${Date.now()}`, effectiveFrom: new Date(Date.UTC(2000, 0, 1)) } });

    // ── CSV import ──
    const lines = ['provider,region,sku,unit,unitPrice'];
    for (let i = 0; i < ROWS; i++) lines.push(`${KINDS[i % 3]},${i % 20 === 0 ? '*' : `region-${i % 20}`},type-${Math.floor(i / 60)}.x${i % 3},hour,0.${String(1000 + (i % 9000)).padStart(4, '0')}`);
    for (const kind of KINDS) lines.push(`${kind},*,disk-gib,month,0.08`);
    const csv = `${lines.join('\n')}\n`;
    let t = performance.now();
    const result = await importPrices(db, { csv, fileName: 'bench.csv' }, audit);
    const importSeconds = (performance.now() - t) / 1000;
    const bad = csv.replace(/\naws,\*,type-0\.x0,hour,[^\n]+/, '\naws,*,type-0.x0,hour,-1');
    t = performance.now();
    let rejectedRows = 0;
    try {
      await importPrices(db, { csv: bad }, audit);
    } catch (error) {
      if (!(error instanceof PriceImportError)) throw error;
      rejectedRows = error.rows.length;
    }
    const rejectSeconds = (performance.now() - t) / 1000;

    // ── priceVm ──
    t = performance.now();
    const ctx = await loadPriceContext(db);
    const loadMs = performance.now() - t;
    // The request form's case: only the instance types of one template (6 here).
    const oneTemplate = KINDS.flatMap((_, k) => [`type-1.x${k}`, `type-2.x${k}`]);
    const loadOneTimes: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      t = performance.now();
      await loadPriceContext(db, { skus: oneTemplate });
      loadOneTimes.push(performance.now() - t);
    }
    t = performance.now();
    let priced = 0;
    for (let i = 0; i < PRICE_CALLS; i++) {
      const kind = KINDS[i % 3]!;
      if (priceVm(ctx, { providerKind: kind, regionCode: `region-${i % 20}`, instanceType: `type-${i % 300}.x${i % 3}`, vcpus: 2, memoryMiB: 4096, diskGiB: 40 })) priced++;
    }
    const priceMicros = ((performance.now() - t) * 1000) / PRICE_CALLS;

    // ── templates ──
    const ids: string[] = [];
    t = performance.now();
    for (let i = 0; i < TEMPLATES; i++) {
      const view = await createTemplate(db, {
        slug: `bench-${i}`,
        name: `Bench template ${i}`,
        category: `Category ${i % 10}`,
        os: 'Linux',
        sizes: [
          { name: 'small', vcpus: 2, memoryMiB: 4096, diskGiB: 40 },
          { name: 'large', vcpus: 4, memoryMiB: 16384, diskGiB: 80 },
        ],
        mappings: KINDS.map((kind, k) => ({ providerKind: kind, instanceTypes: { small: `type-${i % 300}.x${k}`, large: `type-${(i + 1) % 300}.x${k}` }, image: 'image' })),
        parameters: [{ name: 'environment', label: 'Environment', type: 'enum', required: true, options: ['dev', 'test', 'prod'] }],
      }, audit);
      ids.push(view.id);
    }
    const createMs = (performance.now() - t) / TEMPLATES;
    const listTimes: number[] = [];
    let entries = 0;
    for (let i = 0; i < SAMPLES; i++) {
      t = performance.now();
      entries = (await listCatalog(db)).length;
      listTimes.push(performance.now() - t);
    }
    const updateTimes: number[] = [];
    for (let i = 0; i < SAMPLES * 3; i++) {
      t = performance.now();
      await updateTemplate(db, ids[i % ids.length]!, { description: `edit ${i}` }, audit);
      updateTimes.push(performance.now() - t);
    }

    const out = {
      import: { rows: result.imported, seconds: importSeconds, rejectedRows, rejectSeconds },
      price: { loadMs, loadOneP50: quantile(loadOneTimes, 0.5), loadOneP95: quantile(loadOneTimes, 0.95), priceMicros, priced },
      templates: { entries, createMs, listP50: quantile(listTimes, 0.5), listP95: quantile(listTimes, 0.95), updateP50: quantile(updateTimes, 0.5), updateP95: quantile(updateTimes, 0.95) },
    };
    console.log(JSON.stringify(out, null, 2));
    writeBenchmarkSection(
      'catalog',
      `## Catalog and price book (\`npm run bench:catalog\`)

Embedded PostgreSQL, ${machineLine()}, ${os.cpus().length} cores (shared with other work while measured).

| what | result |
| --- | ---: |
| importPrices, ${out.import.rows.toLocaleString('en-US')}-row CSV (checked whole, one transaction) | ${out.import.seconds.toFixed(2)} s |
| importPrices, same file with ${out.import.rejectedRows} bad row (rejected, nothing written) | ${out.import.rejectSeconds.toFixed(2)} s |
| loadPriceContext, whole book (${out.import.rows.toLocaleString('en-US')} rates) | ${out.price.loadMs.toFixed(1)} ms |
| loadPriceContext, one template's instance types (request form), p50 / p95 | ${out.price.loadOneP50.toFixed(1)} / ${out.price.loadOneP95.toFixed(1)} ms |
| priceVm per placement after one load | ${out.price.priceMicros.toFixed(2)} µs |
| createTemplate (version 1), mean | ${out.templates.createMs.toFixed(1)} ms |
| listCatalog, ${out.templates.entries} templates × 3 providers × 2 sizes, p50 / p95 | ${out.templates.listP50.toFixed(0)} / ${out.templates.listP95.toFixed(0)} ms |
| updateTemplate (new version, row lock), p50 / p95 | ${out.templates.updateP50.toFixed(1)} / ${out.templates.updateP95.toFixed(1)} ms |
`,
    );
  } finally {
    await db.$disconnect();
    await bench.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
