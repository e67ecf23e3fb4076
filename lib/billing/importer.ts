// FOCUS import: stream the file through the normaliser into a staging table with COPY, and only
// when every row is valid swap it in as the partition(s) of the periods it holds, in one
// transaction (with the rollup and the audit row). A file with any bad row changes nothing.
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { Prisma } from '@/generated/prisma/client';
import { recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { COPY_COLUMNS } from './focus-columns';
import { Linker, type TagMapping } from './linking';
import { type ImportDefaults, type RowError, RowNormaliser, copyLine } from './normalize';
import { LinkTargetGone, type LinkTargets, leafTable, lockSwaps, rebuildForImportedLeaves, swapLeaf } from './partitions';
import { buildResourceRollups } from './resource-rollup';
import { rebuildTagRollup, rollupTagKeys } from './tag-rollup';
import { stageCsvByCopy } from './copy-import';
import { LEAF_INDEXES, stageCsvTyped } from './typed-copy';
import { FileError, detectFormat, openCostFile } from './sources';

const MAX_STORED_ERRORS = 100;
/** After this many bad rows the rest of the file is not read: the admin has enough to fix. */
const MAX_COUNTED_ERRORS = 1000;
const PROGRESS_EVERY_MS = 1000;
const HEARTBEAT_EVERY_MS = 10_000;

export interface ImportOptions {
  /** An existing CostImport row (created by the API as "queued"); otherwise one is created. */
  importId?: string;
  fileName: string;
  importedById?: string | null;
  providerAccountId?: string | null;
  fileSha256?: string | null;
  defaults?: ImportDefaults;
  tagMapping?: TagMapping[];
  /** Tag keys rolled up per day (CostTagRollup, lib/billing/tag-rollup.ts); default: the tag mapping's. */
  rollupTagKeys?: string[];
  /**
   * 'copy' (default): CSV / gzipped CSV is streamed into PostgreSQL with COPY and validated in SQL;
   * a file the SQL grammar does not accept whole falls back to 'rows'. 'rows': every row through
   * the JS normaliser (always used for Parquet).
   */
  engine?: 'copy' | 'rows';
  /** Connections the typed COPY loads a clean CSV with (default: by file size and cores). */
  shards?: number;
  audit: AuditContext;
}

export interface ImportPeriod {
  month: string;
  providerName: string;
  billingAccountId: string | null;
  rows: number;
  replacedRows: number;
}

export interface ImportResult {
  importId: string;
  status: 'succeeded' | 'failed';
  rowCount: number;
  rejectedRows: number;
  errors: RowError[];
  message: string | null;
  periods: ImportPeriod[];
  /** Which path imported (or rejected) the file, and why the COPY path handed it over. */
  engine: 'copy' | 'rows';
  /** Which COPY: 'typed' (COPY types the cells; clean exports) or 'normalised' (text COPY + SQL normalisation). */
  copyMode?: 'typed' | 'normalised';
  fallbackReason?: string;
  /** Why the typed COPY handed the file to the normalising paths. */
  typedFallbackReason?: string;
  /** Connections the typed COPY loaded the file with. */
  shards?: number;
  /** Milliseconds spent in each phase (copy, link, validate, index, swap …), for benchmarks. */
  phaseMs?: Record<string, number>;
}

const DEFAULT_TAG_MAPPING: TagMapping[] = [
  { tag: 'project', field: 'key' },
  { tag: 'cost-center', field: 'costCentre' },
];

const asJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;

async function writeChunk(stream: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}

export async function importCostFile(db: Db, connectionString: string, filePath: string, options: ImportOptions): Promise<ImportResult> {
  const started = Date.now();
  const record = options.importId
    ? await db.costImport.update({ where: { id: options.importId }, data: { status: 'running', startedAt: new Date(), heartbeatAt: new Date() } })
    : await db.costImport.create({
        data: {
          source: 'focus',
          fileName: options.fileName,
          status: 'running',
          startedAt: new Date(),
          heartbeatAt: new Date(),
          importedById: options.importedById ?? null,
          providerAccountId: options.providerAccountId ?? null,
          fileSha256: options.fileSha256 ?? null,
        },
      });
  const importId = record.id;
  const stage = `CostRecord_stage_${importId.replace(/[^A-Za-z0-9]/g, '')}`;
  const errors: RowError[] = [];
  let rejected = 0;
  let rows = 0;
  const groups = new Map<string, { month: string; scopeKey: string; providerName: string; billingAccountId: string | null; rows: number }>();
  // The heartbeat tells other processes this import is alive (see failStaleImports): a restart
  // stops it, and the import is then marked failed — its transactions never committed.
  const heartbeat = setInterval(() => {
    db.costImport.update({ where: { id: importId }, data: { heartbeatAt: new Date() } }).catch(() => undefined);
  }, HEARTBEAT_EVERY_MS);
  heartbeat.unref();
  const client = new pg.Client({ connectionString });
  await client.connect().catch((error: unknown) => {
    clearInterval(heartbeat);
    throw error;
  });
  let staged = false;
  let copy: ReturnType<typeof copyStreams.from> | null = null;
  let copyDone: Promise<void> | null = null;

  const fail = async (message: string): Promise<ImportResult> => {
    // A COPY still open (the file broke mid-stream) is aborted first, or the connection stays busy.
    if (copy && !copy.writableFinished) {
      copy.destroy(new Error('import aborted'));
      await copyDone?.catch(() => undefined);
    }
    if (staged) await client.query(`DROP TABLE IF EXISTS "${stage}", "${stage}_rollup"`).catch(() => undefined);
    await db.$transaction(async (tx) => {
      await tx.costImport.update({
        where: { id: importId },
        data: {
          status: 'failed',
          phase: 'done',
          message,
          rowsRead: rows,
          rowCount: 0,
          rejectedRows: rejected,
          errors: asJson(errors.slice(0, MAX_STORED_ERRORS)),
          finishedAt: new Date(),
        },
      });
      await recordAudit(tx, options.audit, {
        action: 'cost.import.failed',
        targetType: 'CostImport',
        targetId: importId,
        after: { fileName: options.fileName, message, rejectedRows: rejected },
      });
    });
    return { importId, status: 'failed', rowCount: 0, rejectedRows: rejected, errors: errors.slice(0, MAX_STORED_ERRORS), message, periods: [], engine: 'rows', fallbackReason, typedFallbackReason };
  };

  let engine: 'copy' | 'rows' = 'rows';
  let copyMode: 'typed' | 'normalised' | undefined;
  let fallbackReason: string | undefined;
  let typedFallbackReason: string | undefined;
  let indexed = false;
  let rollupTable: string | undefined;
  let linkTargets: LinkTargets | undefined;
  let shards: number | undefined;
  const phaseLog: { phase: string; at: number }[] = [];
  const setPhase = async (phase: string) => {
    phaseLog.push({ phase, at: Date.now() });
    await db.costImport.update({ where: { id: importId }, data: { phase } });
  };
  const progress = async (rowsRead: number) => {
    await db.costImport.update({
      where: { id: importId },
      data: { rowsRead, rowsPerSecond: Math.round((rowsRead * 1000) / Math.max(1, Date.now() - started)) },
    });
  };
  try {
    // Native Azure exports do not say whether they are actual or amortized cost; their file name does.
    const defaults: ImportDefaults = { azureCostKind: /amorti[sz]ed/i.test(options.fileName) ? 'amortized' : 'actual', ...options.defaults };
    const format = await detectFormat(filePath);
    if ((options.engine ?? 'copy') === 'copy' && format !== 'parquet') {
      // Clean exports: COPY types every cell itself (typed-copy.ts). Anything needing per-cell
      // normalisation goes to the SQL-normalising COPY, and from there to the row path.
      const typed = await stageCsvTyped(client, db, filePath, {
        importId,
        stage,
        defaults,
        tagMapping: options.tagMapping ?? DEFAULT_TAG_MAPPING,
        gzip: format === 'csv-gzip',
        connectionString,
        shards: options.shards,
        onProgress: progress,
        onPhase: setPhase,
      });
      if (typed.fallbackReason === null) {
        engine = 'copy';
        copyMode = 'typed';
        staged = true;
        indexed = typed.indexed;
        rollupTable = typed.rollupTable ?? undefined;
        linkTargets = typed.linkTargets;
        shards = typed.shards;
        rows = typed.rows;
        for (const g of typed.groups) groups.set(`${g.month}|${g.scopeKey}`, g);
        await db.costImport.update({ where: { id: importId }, data: { source: `focus-${format}`, rowsRead: rows } });
      } else {
        typedFallbackReason = typed.fallbackReason;
      }
    }
    if (engine === 'rows' && (options.engine ?? 'copy') === 'copy' && format !== 'parquet') {
      await setPhase('copy');
      const fast = await stageCsvByCopy(client, db, filePath, {
        importId,
        stage,
        defaults,
        tagMapping: options.tagMapping ?? DEFAULT_TAG_MAPPING,
        gzip: format === 'csv-gzip',
        onProgress: progress,
      });
      if (fast.fallbackReason === null) {
        engine = 'copy';
        copyMode = 'normalised';
        staged = true;
        rows = fast.rows;
        for (const g of fast.groups) groups.set(`${g.month}|${g.scopeKey}`, g);
        await db.costImport.update({ where: { id: importId }, data: { source: `focus-${format}`, rowsRead: rows } });
      } else {
        fallbackReason = fast.fallbackReason;
      }
    }
  if (engine === 'rows') {
    await setPhase('rows');
    const source = await openCostFile(filePath);
    const linker = await Linker.load(db, options.tagMapping ?? DEFAULT_TAG_MAPPING);
    const normaliser = new RowNormaliser(source.headers, importId, defaults, linker);
    await db.costImport.update({ where: { id: importId }, data: { source: normaliser.isAzureNative ? `azure-${source.format}` : `focus-${source.format}` } });

    await client.query(`CREATE TABLE "${stage}" (LIKE "CostRecord" INCLUDING DEFAULTS)`);
    staged = true;
    const columns = COPY_COLUMNS.map((c) => `"${c}"`).join(', ');
    const stream = client.query(copyStreams.from(`COPY "${stage}" (${columns}) FROM STDIN`));
    copy = stream;
    copyDone = new Promise<void>((resolve, reject) => {
      stream.on('finish', () => resolve());
      stream.on('error', reject);
    });
    let buffer = '';
    let lastProgress = Date.now();
    for await (const sourceRow of source.rows) {
      rows += 1;
      const before = errors.length;
      const row = normaliser.normalise(sourceRow, errors);
      if (errors.length > before) {
        rejected += 1;
        if (errors.length > MAX_STORED_ERRORS) errors.length = MAX_STORED_ERRORS;
        if (rejected >= MAX_COUNTED_ERRORS) break;
        continue;
      }
      if (!row || rejected > 0) continue; // after the first bad row, only validate
      const key = `${row.billingMonth}|${row.scopeKey}`;
      const group = groups.get(key);
      if (group) group.rows += 1;
      else groups.set(key, { month: row.billingMonth, scopeKey: row.scopeKey, providerName: row.providerName, billingAccountId: row.billingAccountId, rows: 1 });
      buffer += copyLine(row.fields);
      if (buffer.length > 256 * 1024) {
        await writeChunk(stream, buffer);
        buffer = '';
      }
      const now = Date.now();
      if (now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        await db.costImport.update({
          where: { id: importId },
          data: { rowsRead: rows, rowsPerSecond: Math.round((rows * 1000) / Math.max(1, now - started)) },
        });
      }
    }
    if (buffer) await writeChunk(stream, buffer);
    stream.end();
    await copyDone;

    if (rejected > 0) {
      return await fail(
        `${rejected}${rejected >= MAX_COUNTED_ERRORS ? '+' : ''} row${rejected === 1 ? '' : 's'} invalid; nothing was imported. Fix the rows listed and upload the file again.`,
      );
    }
    if (rows === 0) return await fail('The file has a header but no cost rows; nothing was imported.');
  }

    const periods = [...groups.values()].sort((a, b) => a.month.localeCompare(b.month) || a.providerName.localeCompare(b.providerName));
    // One period (the usual export): the staging table itself becomes the partition. Its indexes
    // are built now, outside the swap lock, so ATTACH only adopts them.
    const tables = new Map<string, string>();
    if (periods.length === 1) {
      tables.set(periods[0]!.scopeKey + periods[0]!.month, stage);
    } else {
      for (const [i, p] of periods.entries()) {
        const table = `${stage}_${i}`;
        await client.query(`CREATE TABLE "${table}" (LIKE "CostRecord" INCLUDING DEFAULTS)`);
        await client.query(`INSERT INTO "${table}" SELECT * FROM "${stage}" WHERE "billingMonth" = $1 AND "scopeKey" = $2`, [p.month, p.scopeKey]);
        tables.set(p.scopeKey + p.month, table);
      }
    }
    if (!indexed) await setPhase('index');
    // (The typed COPY built them already, in its load transaction.)
    for (const table of indexed ? [] : tables.values()) {
      // Named here: the names PostgreSQL would choose are cut at 63 characters and could clash with a concurrent import's.
      await client.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${table}_pk" PRIMARY KEY ("id", "billingMonth", "scopeKey")`);
      for (const [i, cols] of LEAF_INDEXES.entries()) {
        await client.query(`CREATE INDEX "${table}_i${i}" ON "${table}" (${cols.map((c) => `"${c}"`).join(', ')})`);
      }
    }

    const result: ImportPeriod[] = [];
    await setPhase('swap');
    await db.$transaction(
      async (tx) => {
        await lockSwaps(tx);
        for (const p of periods) {
          const replacedRows = await swapLeaf(tx, p.month, p.scopeKey, tables.get(p.scopeKey + p.month)!, periods.length === 1 ? rollupTable : undefined, linkTargets);
          result.push({ month: p.month, providerName: p.providerName, billingAccountId: p.billingAccountId, rows: p.rows, replacedRows });
        }
        if (periods.length > 1) await tx.$executeRawUnsafe(`DROP TABLE "${stage}"`);
        const elapsed = Math.max(1, Date.now() - started);
        await tx.costImport.update({
          where: { id: importId },
          data: {
            status: 'succeeded',
            phase: 'done',
            rowCount: rows,
            rowsRead: rows,
            rowsPerSecond: Math.round((rows * 1000) / elapsed),
            periods: asJson(result),
            finishedAt: new Date(),
            message: `Imported ${rows} row${rows === 1 ? '' : 's'} into ${result.length} billing period${result.length === 1 ? '' : 's'}.`,
          },
        });
        await recordAudit(tx, options.audit, {
          action: 'cost.import.succeeded',
          targetType: 'CostImport',
          targetId: importId,
          after: { fileName: options.fileName, rows, periods: result.map((p) => ({ month: p.month, providerName: p.providerName, billingAccountId: p.billingAccountId, rows: p.rows, replaced: p.replacedRows })) },
        });
      },
      { timeout: 30 * 60_000, maxWait: 60_000 },
    );
    staged = false;
    phaseLog.push({ phase: 'tagRollup', at: Date.now() }); // timed only: the import is already 'done' for its readers
    await buildTagRollups(db, importId, periods, options.rollupTagKeys ?? rollupTagKeys(options.tagMapping ?? DEFAULT_TAG_MAPPING));
    phaseLog.push({ phase: 'resourceRollup', at: Date.now() }); // likewise after the swap (resource-rollup.ts)
    await buildResourceRollups(db, importId, periods);
    const phaseMs: Record<string, number> = {};
    phaseLog.forEach((p, i) => (phaseMs[p.phase] = (phaseMs[p.phase] ?? 0) + ((phaseLog[i + 1]?.at ?? Date.now()) - p.at)));
    return { importId, status: 'succeeded', rowCount: rows, rejectedRows: 0, errors: [], message: null, periods: result, engine, copyMode, fallbackReason, typedFallbackReason, shards, phaseMs };
  } catch (error) {
    if (error instanceof FileError || error instanceof LinkTargetGone) return await fail(error.message);
    await fail(`The import failed: ${error instanceof Error ? error.message : String(error)}`).catch(() => undefined);
    throw error;
  } finally {
    clearInterval(heartbeat);
    await client.end().catch(() => undefined);
  }
}

/**
 * The tag rollup of each period just swapped in, each in its own transaction after the swap
 * (rebuildForImportedLeaves): the scan (about 1.3 CPU-s per 1M rows) then holds no lock readers wait on.
 */
export async function buildTagRollups(db: Db, importId: string, periods: readonly { month: string; scopeKey: string }[], tagKeys: readonly string[]): Promise<void> {
  if (!tagKeys.length) return;
  await rebuildForImportedLeaves(db, importId, periods, 'tag rollup', (tx, month, scopeKey, leaf) => rebuildTagRollup(tx, month, scopeKey, leaf, tagKeys));
}

/** Names of the leaf partitions currently holding a period (for tests and the admin page). */
export { leafTable };
