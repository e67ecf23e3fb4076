// Demo cost data (embedded demo only): last month and this month to date for the three clouds, tagged
// to the demo projects, so the cost explorer, budgets and forecasts have something to show. Written
// through the normaliser and the same partition swap as an import (JSON instead of COPY: the seed
// has only the Prisma client), once — a database with any cost import is left alone. The tag and
// resource rollups are built after the swap, as an import does, so the demo's breakdowns read them too.
import { SYSTEM_ACTOR, auditContext, recordAudit } from '../audit/record';
import type { Db } from '../db/client';
import { COPY_COLUMNS } from './focus-columns';
import { buildTagRollups } from './importer';
import { Linker } from './linking';
import { RowNormaliser } from './normalize';
import { lockSwaps, swapLeaf } from './partitions';
import type { SourceRow } from './sources';
import { buildResourceRollups } from './resource-rollup';
import { rollupTagKeys } from './tag-rollup';
import { FOCUS_TEST_HEADER, focusCsv, type FocusTestRow } from './testing';

const CLOUDS = [
  { provider: 'AWS', account: '111122223333', services: [['Compute', 'Amazon EC2', 4.1], ['Storage', 'Amazon S3', 0.9], ['Databases', 'Amazon RDS', 2.4]] },
  { provider: 'Microsoft', account: 'demo-ea-8611537', services: [['Compute', 'Virtual Machines', 3.3], ['Storage', 'Storage', 0.6]] },
  { provider: 'Google Cloud', account: '01A2B3-C4D5E6-F7G8H9', services: [['Compute', 'Compute Engine', 2.2], ['Analytics', 'BigQuery', 1.7]] },
] as const;

export function demoCostRows(now: Date): FocusTestRow[] {
  const rows: FocusTestRow[] = [];
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let t = first.getTime(), d = 0; t <= today; t += 86_400_000, d++) {
    for (const cloud of CLOUDS) {
      for (const [category, service, base] of cloud.services) {
        for (const [project, share] of [['web-shop', 0.65], ['data-platform', 0.35]] as const) {
          // Deterministic wiggle so the trend is not a flat line.
          const wiggle = 1 + 0.25 * Math.sin(d / 3 + base);
          const cost = (base * share * wiggle * 24).toFixed(4);
          rows.push({ provider: cloud.provider, account: cloud.account, start: new Date(t).toISOString(), hours: 24, billed: cost, serviceCategory: category, service, region: 'eu-west-1', tags: { project } });
        }
      }
    }
  }
  return rows;
}

const DEMO_TAG_MAPPING = [{ tag: 'project', field: 'key' }] as const;

export async function seedDemoCosts(db: Db, options: { now?: Date; rollupTagKeys?: string[] } = {}): Promise<boolean> {
  const now = options.now ?? new Date();
  if ((await db.costImport.count()) > 0) return false;
  const imported = await db.costImport.create({ data: { source: 'demo', fileName: 'demo-costs.csv', status: 'running', startedAt: new Date() } });
  const linker = await Linker.load(db, [...DEMO_TAG_MAPPING]);
  const normaliser = new RowNormaliser(FOCUS_TEST_HEADER.split(','), imported.id, {}, linker);
  const lines = focusCsv(demoCostRows(now)).trim().split('\n').slice(1);
  const groups = new Map<string, { month: string; scopeKey: string; rows: Record<string, unknown>[] }>();
  lines.forEach((line, i) => {
    const cells = parseDemoCsvLine(line);
    const values = Object.fromEntries(FOCUS_TEST_HEADER.split(',').map((h, j) => [h, cells[j] ?? '']));
    const source: SourceRow = { row: i + 2, values };
    const row = normaliser.normalise(source, []);
    if (!row) return;
    const key = `${row.billingMonth}|${row.scopeKey}`;
    const group = groups.get(key) ?? { month: row.billingMonth, scopeKey: row.scopeKey, rows: [] };
    // Tags arrive as JSON text (COPY's form); json_populate_recordset needs the object itself, or the
    // jsonb column would hold a JSON string and no tag could be read from it.
    group.rows.push(Object.fromEntries(COPY_COLUMNS.map((c, j) => [c, c === 'tags' && row.fields[j] ? (JSON.parse(row.fields[j]) as unknown) : (row.fields[j] ?? null)])));
    groups.set(key, group);
  });
  await db.$transaction(
    async (tx) => {
      await lockSwaps(tx);
      let n = 0;
      for (const [i, g] of [...groups.values()].entries()) {
        const table = `CostRecord_stage_${imported.id}_${i}`;
        await tx.$executeRawUnsafe(`CREATE TABLE "${table}" (LIKE "CostRecord" INCLUDING DEFAULTS)`);
        await tx.$executeRawUnsafe(`INSERT INTO "${table}" SELECT * FROM json_populate_recordset(NULL::"CostRecord", $1::json)`, JSON.stringify(g.rows));
        await swapLeaf(tx, g.month, g.scopeKey, table);
        n += g.rows.length;
      }
      await tx.costImport.update({ where: { id: imported.id }, data: { status: 'succeeded', rowCount: n, rowsRead: n, finishedAt: new Date(), message: `Demo data: ${n} rows.` } });
      await recordAudit(tx, auditContext(SYSTEM_ACTOR), { action: 'cost.import.succeeded', targetType: 'CostImport', targetId: imported.id, after: { demo: true, rows: n } });
    },
    { timeout: 120_000 },
  );
  const periods = [...groups.values()].map((g) => ({ month: g.month, scopeKey: g.scopeKey }));
  await buildTagRollups(db, imported.id, periods, options.rollupTagKeys ?? rollupTagKeys(DEMO_TAG_MAPPING));
  await buildResourceRollups(db, imported.id, periods);
  return true;
}

/** The demo CSV is generated above (quotes only around the JSON tags), so a tiny splitter suffices. */
function parseDemoCsvLine(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cell);
      cell = '';
    } else cell += c;
  }
  out.push(cell);
  return out;
}

