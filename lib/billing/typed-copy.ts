// Fastest path of the FOCUS importer, for clean CSV / gzipped CSV exports. Node reads the bytes
// once (lib/billing/row-scanner.ts: row and cell bounds, the checks COPY cannot make, each row's
// link to a VM / project / account appended as three cells) and streams them into `COPY … (FORMAT
// csv)` of tables that already have CostRecord's typed columns (numeric, timestamp, jsonb Tags), so
// PostgreSQL parses and types every cell in C and no row is rewritten afterwards.
//
// Large files are loaded in shards, one PostgreSQL connection each (whole rows, by chunk, to
// whichever connection is free): COPY runs on one core per connection. Each shard table is created
// in its own load transaction (with wal_level=minimal PostgreSQL then skips WAL for it), rolled up,
// validated, indexed and committed; the shards become the partitions (by id range) of the period's
// leaf, which the importer then attaches as one partition.
//
// What neither the scanner nor COPY checks is checked afterwards, set-based, in the rollup scan:
// canonical ChargeCategory / ChargeFrequency / currency and period ordering. A file that needs any
// per-cell normalisation (or that COPY rejects: text in a cost column, an impossible date…) is
// handed back with a reason, to the SQL-normalising COPY path (copy-import.ts) and then the row
// path, which import it or reject it with row-level errors. So all paths store the same rows and
// every error message has one source.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { Db } from '../db/client';
import { isAzureNativeExport } from './azure-ea';
import { CHARGE_CATEGORIES, CHARGE_FREQUENCIES, type FocusColumn, focusColumnFor } from './focus-columns';
import { Linker, type TagMapping } from './linking';
import { type ImportDefaults, RowNormaliser, scopeKeyFor } from './normalize';
import { parseDateTime, parseTags } from './values';
import type { CopyFallback, CopyStageResult } from './copy-import';
import { type LinkTargets, ROLLUP_GROUP_KEYS, ROLLUP_SELECT } from './partitions';
import { CellKind, type LinkCells, RowScanner, ScanRefusal } from './row-scanner';

/** Bytes read ahead to find the header, the first row and the file's null token. */
const SAMPLE_BYTES = 64 * 1024;
const NULL_TOKENS = ['null', 'none', 'n/a', 'nan'];
/** Below this size one connection loads the file (a shard's set-up costs more than it saves). */
const SHARD_MIN_BYTES = 16 * 1024 * 1024;
const MAX_SHARDS = 4;
const PROGRESS_EVERY_MS = 1000;

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
/** A CSV cell holding `text` (quoted: JSON has commas and quotes). */
const csvCell = (text: string) => Buffer.from(`"${text.replaceAll('"', '""')}"`, 'utf8');

interface Peeked {
  header: string;
  /** Complete data lines of the read-ahead (for the null token and the first row). */
  sample: string;
  rest: AsyncGenerator<Buffer>;
}

/** Reads ahead SAMPLE_BYTES (or the whole file if smaller); the bytes after the header are passed on untouched. */
async function peek(source: AsyncIterator<Buffer>): Promise<Peeked | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < SAMPLE_BYTES) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    chunks.push(Buffer.from(next.value)); // (a copy: the reader reuses its buffer)
    size += next.value.length;
  }
  const head = Buffer.concat(chunks);
  const nl = head.indexOf(0x0a);
  if (nl < 0) return null;
  const header = head.subarray(0, nl).toString('utf8').replace(/^\uFEFF/, '').replace(/\r$/, '');
  const remainder = head.subarray(nl + 1);
  const lastNl = ended ? remainder.length : remainder.lastIndexOf(0x0a) + 1;
  const sample = remainder.subarray(0, lastNl).toString('utf8');
  async function* rest(): AsyncGenerator<Buffer> {
    if (remainder.length) yield remainder;
    if (ended) return;
    for (;;) {
      const chunk = await source.next();
      if (chunk.done) return;
      yield chunk.value;
    }
  }
  return { header, sample, rest: rest() };
}

/**
 * The file's bytes, `size` at a time, always in the same buffer: a chunk is valid until the next
 * one is asked for (the scanner copies the one row a chunk cuts, peek copies its read-ahead).
 */
async function* readReusingBuffer(filePath: string, size: number): AsyncGenerator<Buffer> {
  const handle = await open(filePath, 'r');
  try {
    const buffer = Buffer.allocUnsafe(size);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, size, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * The file's null token: COPY has one NULL string. An unquoted literal NULL/null/None… in the
 * read-ahead selects that token (empty cells then must not occur in typed columns — COPY rejects
 * them and the file takes the SQL path); otherwise the empty cell is null. Two different tokens → null.
 */
function nullTokenOf(sample: string): string | null {
  const found = new Set<string>();
  const re = /(?:^|,)([A-Za-z/]{3,4})(?=,|\r?$)/gm;
  for (const m of sample.matchAll(re)) if (NULL_TOKENS.includes(m[1]!.toLowerCase())) found.add(m[1]!);
  if (found.size > 1) return null;
  return found.size === 1 ? [...found][0]! : '';
}


export interface TypedCopyOptions {
  importId: string;
  stage: string;
  defaults: ImportDefaults;
  tagMapping: TagMapping[];
  gzip: boolean;
  /** For the shards' extra connections. */
  connectionString: string;
  /** Connections that load the file (default: by file size and cores, 1–4). */
  shards?: number;
  onProgress?: (rowsRead: number) => Promise<void>;
  onPhase?: (phase: string) => Promise<void>;
}

export interface TypedStageResult extends CopyStageResult {
  /** Indexes and the partition CHECK are already built for a one-period file. */
  indexed: boolean;
  /** The one period's daily rollup rows (CostDailyRollup's columns), for the swap. */
  rollupTable: string | null;
  /** What the rows link to (the swap checks and locks these instead of scanning the rows). */
  linkTargets: LinkTargets;
  /** Connections that loaded the file. */
  shards: number;
}

/**
 * Index set of a CostRecord leaf (the parent's indexes, besides the primary key; ATTACH adopts
 * them). Must match prisma/schema.prisma's @@index list, or ATTACH builds the missing ones itself.
 */
export const LEAF_INDEXES: string[][] = [['chargePeriodStart', 'projectId'], ['vmId'], ['resourceId']];


/** One loading connection: its table, in its own transaction until committed. */
interface Shard {
  client: pg.Client;
  /** Opened for this shard (closed at the end); shard 0 uses the importer's connection. */
  own: boolean;
  table: string;
  seq: string;
  rollup: string;
  /** Id range of the shard's rows (the leaf's RANGE partition bounds); null = unbounded. */
  from: string | null;
  to: string | null;
  inTransaction: boolean;
  copy: Writable | null;
  copied: Promise<void> | null;
}

/** The socket under a pg client (not in pg's typings), to know when it has written a COPY chunk. */
function socketOf(client: pg.Client): Writable | undefined {
  const connection = (client as unknown as { connection?: { stream?: unknown } }).connection;
  const stream = connection?.stream;
  return stream && typeof (stream as Writable).writableLength === 'number' ? (stream as Writable) : undefined;
}

/**
 * `text` as COPY would store it in a timestamp(3) column (same DateStyle and time zone as the load
 * transactions), in PostgreSQL's ISO output; null when PostgreSQL does not read it as one.
 */
async function typedTimestamp(client: pg.Client, text: string): Promise<string | null> {
  if (!text) return null;
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL TIME ZONE 'UTC'`);
    await client.query(`SET LOCAL DateStyle = 'ISO, MDY'`);
    const result = await client.query<{ v: string }>(`SELECT $1::text::timestamp(3)::text AS v`, [text]);
    return result.rows[0]?.v ?? null;
  } catch {
    return null;
  } finally {
    await client.query('ROLLBACK');
  }
}

async function defaultShards(filePath: string, gzip: boolean): Promise<number> {
  const size = (await stat(filePath)).size * (gzip ? 8 : 1);
  return size < SHARD_MIN_BYTES ? 1 : Math.max(1, Math.min(MAX_SHARDS, availableParallelism()));
}

export async function stageCsvTyped(
  client: pg.Client,
  db: Db,
  filePath: string,
  options: TypedCopyOptions,
): Promise<TypedStageResult | CopyFallback> {
  const { stage, importId } = options;
  const shards: Shard[] = [];
  const committed: string[] = [];
  const all = <T>(fn: (shard: Shard, k: number) => Promise<T>) => Promise.all(shards.map(fn));
  const closeCopies = async () => {
    for (const s of shards) if (s.copy && !s.copy.writableFinished) s.copy.destroy(new Error('import aborted'));
    await Promise.all(shards.map((s) => s.copied?.catch(() => undefined)));
  };
  const fallback = async (reason: string): Promise<CopyFallback> => {
    await closeCopies();
    for (const s of shards) {
      if (s.inTransaction) await s.client.query('ROLLBACK').catch(() => undefined);
      s.inTransaction = false;
    }
    if (committed.length) await client.query(`DROP TABLE IF EXISTS ${committed.map(ident).join(', ')}`).catch(() => undefined);
    return { rows: 0, groups: [], fallbackReason: `typed COPY: ${reason}` };
  };
  // 256 KiB reads, one chunk in flight per shard (below): memory stays flat whatever the file size.
  // A plain file is read into one reused buffer (no chunk left for the GC); gzip streams as usual.
  const input = options.gzip ? createReadStream(filePath, { highWaterMark: 1 << 18 }) : null;
  const bytes = input ? input.pipe(createGunzip()) : null;
  if (input && bytes) input.on('error', (error) => bytes.destroy(error));
  const iterator = bytes ? (bytes[Symbol.asyncIterator]() as AsyncIterator<Buffer>) : readReusingBuffer(filePath, 1 << 18);
  try {
    let peeked: Peeked | null;
    try {
      peeked = await peek(iterator);
    } catch (error) {
      return await fallback(`unreadable: ${(error as Error).message}`);
    }
    if (!peeked) return await fallback('no header line');
    let headers: string[];
    let first: string[] | undefined;
    try {
      const eol = peeked.sample.includes('\r\n') ? '\r\n' : '\n'; // csv-parse takes the first line's ending for all
      const rows = parse(`${peeked.header}${eol}${peeked.sample}`, { relax_column_count: false, skip_empty_lines: true }) as string[][];
      headers = rows[0]!.map((h) => h.trim());
      first = rows[1];
    } catch (error) {
      return await fallback(`read-ahead: ${(error as Error).message}`);
    }
    if (headers.length < 2) return await fallback('header not comma-separated');
    if (!first) return await fallback('no rows in the read-ahead');
    if (isAzureNativeExport(headers)) return await fallback('Azure native export');
    const linker = await Linker.load(db, options.tagMapping);
    try {
      new RowNormaliser(headers, importId, options.defaults, linker); // checks mandatory columns
    } catch (error) {
      return await fallback(`header: ${(error as Error).message}`);
    }
    const nullToken = nullTokenOf(peeked.sample);
    if (nullToken === null) return await fallback('more than one null token');

    // Header → target column, as RowNormaliser matches them; unknown (and repeated) columns land
    // in text columns u<i> that become CostRecord.extra after the COPY.
    const seen = new Set<string>();
    const targets = headers.map((header, i) => {
      const column = focusColumnFor(header) ?? null;
      if (column && !seen.has(column.db)) {
        seen.add(column.db);
        return { header, i, column, target: column.db };
      }
      return { header, i, column: null as FocusColumn | null, target: `u${i}` };
    });
    const present = new Map<string, number>();
    for (const t of targets) if (t.column) present.set(t.column.db, t.i);
    const unknown = targets.filter((t) => !t.column);
    const cell = (db: string) => (present.has(db) ? (first![present.get(db)!] ?? '').trim() : '');
    const isNull = (v: string) => v === '' || v === nullToken;

    // Partition key of the first row: the default of every row (a one-period file needs no update).
    let month: string;
    try {
      const start = parseDateTime(cell('billingPeriodStart'));
      month = `${start.getUTCFullYear()}-${String(start.getUTCMonth() + 1).padStart(2, '0')}-01`;
    } catch {
      return await fallback('first row BillingPeriodStart');
    }
    const providerCell = [cell('providerName'), cell('serviceProviderName')].find((v) => !isNull(v));
    const provider = providerCell ?? options.defaults.providerName;
    if (!provider) return await fallback('first row ProviderName');
    const accountCell = cell('billingAccountId');
    const account = isNull(accountCell) ? null : accountCell;
    const scopeKey = scopeKeyFor(provider, account);

    // The billing period is the same in (nearly) every row: its cells go to text columns c<i>, the
    // scanner blanks those equal to the first row's, and the typed columns default to the first
    // row's value — PostgreSQL parses two timestamps once instead of per row (~0.7 CPU-s per 1M
    // rows). Cells that differ are cast after the COPY with the same input function (rare: files
    // of several periods). A first-row value PostgreSQL does not read leaves the column typed.
    const constants: { db: string; i: number; target: string; value: string }[] = [];
    for (const db of ['billingPeriodStart', 'billingPeriodEnd']) {
      const i = present.get(db);
      if (i === undefined) continue;
      const value = await typedTimestamp(client, cell(db));
      if (value !== null) constants.push({ db, i, target: `c${i}`, value });
    }
    for (const c of constants) targets[c.i]!.target = c.target;
    const alters = [
      `ALTER COLUMN "billingMonth" SET DEFAULT ${lit(month)}`,
      `ALTER COLUMN "scopeKey" SET DEFAULT ${lit(scopeKey)}`,
      `ALTER COLUMN "importId" SET DEFAULT ${lit(importId)}`,
      ...unknown.map((u) => `ADD COLUMN "${u.target}" text`),
      ...constants.flatMap((c) => [`ADD COLUMN "${c.target}" text`, `ALTER COLUMN ${ident(c.db)} SET DEFAULT ${lit(c.value)}::timestamp(3)`]),
    ];
    if (!present.has('providerName') && !present.has('serviceProviderName') && options.defaults.providerName) {
      alters.push(`ALTER COLUMN "providerName" SET DEFAULT ${lit(options.defaults.providerName)}`);
    } else if (!present.has('providerName')) {
      return await fallback('ProviderName from ServiceProviderName');
    }
    if (!present.has('billingCurrency')) {
      if (!options.defaults.billingCurrency || !/^[A-Z]{3}$/.test(options.defaults.billingCurrency)) return await fallback('BillingCurrency default');
      alters.push(`ALTER COLUMN "billingCurrency" SET DEFAULT ${lit(options.defaults.billingCurrency)}`);
    }

    // The shards: shard k's ids are "<importId>.<k>.<12-digit sequence>", so its rows sort (in any
    // collation) between "<importId>.<k>" and "<importId>.<k+1>", the bounds of its RANGE partition
    // of the leaf; inserted in id order, the primary key builds from presorted input.
    const count = Math.min(MAX_SHARDS, Math.max(1, options.shards ?? (await defaultShards(filePath, options.gzip))));
    for (let k = 0; k < count; k++) {
      const table = count === 1 ? stage : `${stage}_s${k}`;
      const own = k > 0;
      const shardClient = own ? new pg.Client({ connectionString: options.connectionString }) : client;
      const shard: Shard = {
        client: shardClient,
        own,
        table,
        seq: `${table}_seq`,
        rollup: `${table}_rollup`,
        from: k === 0 ? null : `${importId}.${k}`,
        to: k === count - 1 ? null : `${importId}.${k + 1}`,
        inTransaction: false,
        copy: null,
        copied: null,
      };
      shards.push(shard);
      if (own) await shardClient.connect();
    }
    const copyColumns = [...targets.map((t) => ident(t.target)), '"vmId"', '"projectId"', '"providerAccountId"'].join(', ');
    await all(async (s, k) => {
      await s.client.query('BEGIN');
      s.inTransaction = true;
      await s.client.query(`SET LOCAL TIME ZONE 'UTC'`);
      await s.client.query(`SET LOCAL DateStyle = 'ISO, MDY'`);
      await s.client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
      await s.client.query(`SET LOCAL work_mem = '64MB'`);
      await s.client.query(`CREATE SEQUENCE "${s.seq}" CACHE 1000`);
      await s.client.query(`CREATE TABLE "${s.table}" (LIKE "CostRecord" INCLUDING DEFAULTS)`);
      await s.client.query(
        `ALTER TABLE "${s.table}" ALTER COLUMN "id" SET DEFAULT ${lit(`${importId}.${k}.`)} || lpad(nextval('"${s.seq}"')::text, 12, '0'), ${alters.join(', ')}`,
      );
      // The partition constraints as a CHECK: ATTACH then skips its validation scan.
      const ids = [s.from === null ? null : `"id" >= ${lit(s.from)}`, s.to === null ? null : `"id" < ${lit(s.to)}`].filter(Boolean);
      await s.client.query(
        `ALTER TABLE "${s.table}" ADD CONSTRAINT "${s.table}_part" CHECK ("billingMonth" = ${lit(month)} AND "scopeKey" = ${lit(scopeKey)}${ids.map((c) => ` AND ${c}`).join('')})`,
      );
      const copy = s.client.query(copyStreams.from(`COPY "${s.table}" (${copyColumns}) FROM STDIN (FORMAT csv, HEADER false, FREEZE true, NULL ${lit(nullToken)}, FORCE_NULL (${copyColumns}))`));
      s.copy = copy;
      s.copied = new Promise<void>((resolve, reject) => {
        copy.on('finish', () => resolve());
        copy.on('error', reject);
      });
      s.copied.catch(() => undefined); // awaited below; an early COPY error must not go unhandled
    });

    await options.onPhase?.('copy');
    const kinds = targets.map((t) => {
      if (!t.column) return CellKind.None;
      switch (t.column.type) {
        case 'string':
          return CellKind.Text;
        case 'cost':
        case 'decimal':
          return CellKind.Number;
        case 'datetime':
          return CellKind.Date;
        case 'tags':
          return CellKind.Tags;
      }
    });
    const nullCell = nullToken;
    const vmIds = new Set<string>();
    const projectIds = new Set<string>();
    const accountIds = new Set<string>();
    const resolve = (rid: string | null, tagsJson: string | null): LinkCells => {
      let tags: Record<string, string> = {};
      let replacement: Buffer | null = null;
      if (tagsJson === null) {
        replacement = csvCell('{}');
      } else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(tagsJson);
        } catch {
          throw new ScanRefusal('Tags that are not JSON');
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ScanRefusal('Tags that are not a JSON object');
        tags = parseTags(parsed);
        // Keys trimmed and values as strings, as the row path stores them.
        if (Object.entries(parsed).some(([k, v]) => typeof v !== 'string' || k !== k.trim() || !k)) replacement = csvCell(JSON.stringify(tags));
      }
      const link = linker.link(rid, tags);
      if (link.vmId) vmIds.add(link.vmId);
      if (link.projectId) projectIds.add(link.projectId);
      if (link.providerAccountId) accountIds.add(link.providerAccountId);
      return { suffix: Buffer.from(`,${link.vmId ?? nullCell},${link.projectId ?? nullCell},${link.providerAccountId ?? nullCell}\n`, 'utf8'), tags: replacement };
    };
    const scanner = new RowScanner(
      { kinds, resourceId: present.get('resourceId') ?? -1, tags: present.get('tags') ?? -1, constants: constants.map((c) => c.i) },
      nullToken,
      resolve,
    );
    let lastProgress = Date.now();
    let next = 0;
    // One pending 'drain' promise per shard, reused until it fires (no listener per wait).
    const drains = new Map<Shard, Promise<void>>();
    const drained = (s: Shard) => {
      let p = drains.get(s);
      if (!p) {
        p = new Promise<void>((resolveDrain) => s.copy!.once('drain', () => {
          drains.delete(s);
          resolveDrain();
        }));
        drains.set(s, p);
      }
      return p;
    };
    const send = async (out: Buffer): Promise<Shard | null> => {
      if (!out.length) return null;
      // To the first shard (round robin) that can take it; if none, wait until one drains.
      for (;;) {
        for (let i = 0; i < shards.length; i++) {
          const s = shards[(next + i) % shards.length]!;
          if (!s.copy!.writableNeedDrain) {
            next = (next + i + 1) % shards.length;
            s.copy!.write(out);
            return s;
          }
        }
        await Promise.race(shards.flatMap((s) => [drained(s), s.copied!]));
      }
    };
    // The scanner's output buffers, reused: a new ~320 KiB buffer per chunk left hundreds for the
    // garbage collector at a time (most of the import's peak RSS). A buffer is free again once the
    // COPY stream it went to and that connection's socket hold no unwritten bytes (then the kernel
    // has them); without a visible socket it is never reused.
    const outputs: { buffer: Buffer; shard: Shard | null }[] = [];
    const flushed = (s: Shard) => s.copy!.writableLength === 0 && socketOf(s.client)?.writableLength === 0;
    const scanInto = async (chunk: Buffer) => {
      const entry = outputs.find((e) => !e.shard || flushed(e.shard));
      const out = scanner.push(chunk, entry?.buffer);
      const shard = await send(out);
      if (!shard) return;
      if (entry && out.buffer === entry.buffer.buffer) entry.shard = shard;
      else if (out.byteOffset === 0) {
        // A new (or grown) buffer: it takes the entry's place, or joins the pool while it is small.
        const whole = Buffer.from(out.buffer, 0, out.buffer.byteLength);
        if (entry) Object.assign(entry, { buffer: whole, shard });
        else if (outputs.length < shards.length + 2) outputs.push({ buffer: whole, shard });
      }
    };
    try {
      for (;;) {
        const chunk = await peeked.rest.next();
        if (chunk.done) break;
        await scanInto(chunk.value);
        if (options.onProgress && Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = Date.now();
          await options.onProgress(scanner.rows);
        }
      }
      await send(scanner.end());
      for (const s of shards) s.copy!.end();
      await Promise.all(shards.map((s) => s.copied));
    } catch (error) {
      return await fallback((error as Error).message);
    }
    const rows = shards.reduce((sum, s) => sum + Number((s.copy as unknown as { rowCount: number }).rowCount), 0);
    if (rows === 0) return await fallback('no rows');
    if (rows !== scanner.rows) return await fallback(`COPY stored ${rows} rows of ${scanner.rows}`);
    // The defaults came from the read-ahead's parse of the first row: the scanner's must agree.
    if (constants.some((c) => scanner.firstValue(c.i)?.trim() !== cell(c.db))) return await fallback('first row read differently');
    if (scanner.constantsKept > 0) {
      // Rows whose billing period differs from the first row's: cast as COPY would have (same
      // input function, DateStyle and time zone); a value it cannot read fails like a COPY error.
      try {
        await all((s) =>
          s.client.query(
            `UPDATE "${s.table}" SET ${constants.map((c) => `${ident(c.db)} = COALESCE("${c.target}"::timestamp(3), ${ident(c.db)})`).join(', ')}
              WHERE ${constants.map((c) => `"${c.target}" IS NOT NULL`).join(' OR ')}`,
          ),
        );
      } catch (error) {
        return await fallback((error as Error).message);
      }
    }

    // One scan per shard builds its daily rollup (the swap inserts it instead of re-reading the
    // leaf) and finds what neither the scanner nor COPY checked.
    await options.onPhase?.('validate');
    const bad = [
      `"chargePeriodEnd" < "chargePeriodStart"`,
      ...(present.has('chargeFrequency')
        ? [`("chargeFrequency" NOT IN (${CHARGE_FREQUENCIES.map(lit).join(', ')}) AND lower("chargeFrequency") IN (${CHARGE_FREQUENCIES.map((f) => lit(f.toLowerCase())).join(', ')}))`]
        : []),
    ];
    const groupBad = [
      `"chargeCategory" NOT IN (${CHARGE_CATEGORIES.map(lit).join(', ')})`,
      `(length("billingCurrency") <> 3 OR translate("billingCurrency", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '') <> '')`,
    ];
    const scans = await all(async (s) => {
      await s.client.query(`SET LOCAL max_parallel_workers_per_gather = 0`); // one hash aggregate beats a parallel sort here
      await s.client.query(
        `CREATE TABLE "${s.rollup}" AS SELECT ${ROLLUP_SELECT},
                date_trunc('month', "billingPeriodStart")::date::text AS period_month, "billingAccountId" AS account,
                bool_or(${bad.map((b) => `coalesce(${b}, false)`).join(' OR ')}) AS bad
           FROM "${s.table}" GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, period_month, account`,
      );
      const scan = await s.client.query<{ month: string; providerName: string; billingAccountId: string | null; n: string; bad: boolean }>(
        `SELECT period_month AS month, "providerName", account AS "billingAccountId", sum("rowCount") AS n,
                bool_or(bad OR ${groupBad.map((b) => `coalesce(${b}, false)`).join(' OR ')}) AS bad
           FROM "${s.rollup}" GROUP BY 1, 2, 3`,
      );
      return scan.rows;
    });
    if (scans.flat().some((g) => g.bad)) return await fallback('cells need normalisation');
    const merged = new Map<string, { month: string; scopeKey: string; providerName: string; billingAccountId: string | null; rows: number }>();
    for (const g of scans.flat()) {
      const key = `${g.month}|${g.providerName}|${g.billingAccountId ?? ''}`;
      const entry = merged.get(key) ?? { month: g.month, scopeKey: scopeKeyFor(g.providerName, g.billingAccountId), providerName: g.providerName, billingAccountId: g.billingAccountId, rows: 0 };
      entry.rows += Number(g.n);
      merged.set(key, entry);
    }
    const groups = [...merged.values()];
    const onePeriod = groups.length === 1 && groups[0]!.month === month && groups[0]!.scopeKey === scopeKey;

    await all(async (s) => {
      if (!onePeriod) {
        // Rare (several accounts or months in one file): re-key the other periods' rows; the swap
        // splits the table and rebuilds each period's rollup from its rows.
        await s.client.query(`DROP TABLE "${s.rollup}"`);
        await s.client.query(`ALTER TABLE "${s.table}" DROP CONSTRAINT "${s.table}_part"`);
        for (const g of groups) {
          if (g.month === month && g.scopeKey === scopeKey) continue;
          await s.client.query(
            `UPDATE "${s.table}" SET "billingMonth" = $1::date, "scopeKey" = $2
              WHERE date_trunc('month', "billingPeriodStart") = $1::timestamp AND "providerName" = $3 AND "billingAccountId" IS NOT DISTINCT FROM $4`,
            [g.month, g.scopeKey, g.providerName, g.billingAccountId],
          );
        }
      } else {
        await s.client.query(`ALTER TABLE "${s.rollup}" DROP COLUMN period_month, DROP COLUMN account, DROP COLUMN bad`);
      }
      // Vendor / unknown columns → extra, only when a file has them (raw text, null tokens dropped).
      if (unknown.length) {
        const value = (u: (typeof unknown)[number]) =>
          `CASE WHEN btrim("${u.target}") = '' OR lower(btrim("${u.target}")) IN (${NULL_TOKENS.map(lit).join(', ')}) THEN NULL ELSE "${u.target}" END`;
        const parts: string[] = [];
        for (let i = 0; i < unknown.length; i += 40) {
          parts.push(`jsonb_strip_nulls(jsonb_build_object(${unknown.slice(i, i + 40).map((u) => `${lit(u.header)}, ${value(u)}`).join(', ')}))`);
        }
        await s.client.query(`UPDATE "${s.table}" SET "extra" = ${parts.join(' || ')} WHERE ${unknown.map((u) => `"${u.target}" IS NOT NULL`).join(' OR ')}`);
        await s.client.query(`ALTER TABLE "${s.table}" ${unknown.map((u) => `DROP COLUMN "${u.target}"`).join(', ')}`);
      }
      await s.client.query(
        `ALTER TABLE "${s.table}" ALTER COLUMN "id" DROP DEFAULT, ALTER COLUMN "billingMonth" DROP DEFAULT, ALTER COLUMN "scopeKey" DROP DEFAULT,
           ALTER COLUMN "importId" DROP DEFAULT, ALTER COLUMN "providerName" DROP DEFAULT, ALTER COLUMN "billingCurrency" DROP DEFAULT,
           ALTER COLUMN "billingPeriodStart" DROP DEFAULT, ALTER COLUMN "billingPeriodEnd" DROP DEFAULT${constants.map((c) => `, DROP COLUMN "${c.target}"`).join('')}`,
      );
      await s.client.query(`DROP SEQUENCE "${s.seq}"`);
    });
    if (onePeriod) {
      // Indexes after the load, in the same transactions (no WAL for them either with wal_level=minimal).
      await options.onPhase?.('index');
      await all(async (s) => {
        // With a shard per core every core already builds an index: parallel workers would only add
        // their own sorts and the leader's merge (measured: +0.2–0.4 CPU-s per index of 1M rows, the
        // import's bottleneck). One connection alone keeps them, for the idle cores.
        if (shards.length > 1) await s.client.query(`SET LOCAL max_parallel_maintenance_workers = 0`);
        // Named here: PostgreSQL's chosen names are cut at 63 characters, which can make two shards'
        // names equal — and the second shard then waits on the first's uncommitted pg_class row.
        await s.client.query(`ALTER TABLE "${s.table}" ADD CONSTRAINT "${s.table}_pk" PRIMARY KEY ("id", "billingMonth", "scopeKey")`);
        for (const [i, cols] of LEAF_INDEXES.entries()) await s.client.query(`CREATE INDEX "${s.table}_i${i}" ON "${s.table}" (${cols.map(ident).join(', ')})`);
      });
    }
    await all(async (s) => {
      await s.client.query('COMMIT');
      s.inTransaction = false;
      committed.push(s.table, ...(onePeriod ? [s.rollup] : []));
    });

    let rollupTable: string | null = onePeriod ? shards[0]!.rollup : null;
    if (shards.length > 1) {
      // The shards become one table: the leaf, partitioned by id range. Its indexes adopt the
      // shards' (no build), and its rollup sums theirs (rows of one group can be in every shard).
      committed.push(stage);
      await client.query('BEGIN');
      shards[0]!.inTransaction = true;
      await client.query(`CREATE TABLE "${stage}" (LIKE "CostRecord" INCLUDING DEFAULTS) PARTITION BY RANGE ("id")`);
      for (const s of shards) {
        await client.query(
          `ALTER TABLE "${stage}" ATTACH PARTITION "${s.table}" FOR VALUES FROM (${s.from === null ? 'MINVALUE' : lit(s.from)}) TO (${s.to === null ? 'MAXVALUE' : lit(s.to)})`,
        );
      }
      if (onePeriod) {
        await client.query(`ALTER TABLE "${stage}" ADD CONSTRAINT "${stage}_pk" PRIMARY KEY ("id", "billingMonth", "scopeKey")`);
        for (const [i, cols] of LEAF_INDEXES.entries()) await client.query(`CREATE INDEX "${stage}_i${i}" ON "${stage}" (${cols.map(ident).join(', ')})`);
        rollupTable = `${stage}_rollup`;
        committed.push(rollupTable);
        const keys = ROLLUP_GROUP_KEYS.map(ident).join(', ');
        await client.query(
          `CREATE TABLE "${rollupTable}" AS SELECT ${keys}, max("subAccountName") AS "subAccountName", sum("billedCost") AS "billedCost",
                  sum("effectiveCost") AS "effectiveCost", sum("rowCount") AS "rowCount"
             FROM (${shards.map((s) => `SELECT * FROM "${s.rollup}"`).join(' UNION ALL ')}) r GROUP BY ${keys}`,
        );
        await client.query(`DROP TABLE ${shards.map((s) => ident(s.rollup)).join(', ')}`);
      }
      await client.query('COMMIT');
      shards[0]!.inTransaction = false;
    }
    const linkTargets = { vmIds: [...vmIds], projectIds: [...projectIds], providerAccountIds: [...accountIds] };
    return { rows, groups, fallbackReason: null, indexed: onePeriod, rollupTable, linkTargets, shards: shards.length };
  } catch (error) {
    await fallback('error');
    throw error;
  } finally {
    input?.destroy();
    bytes?.destroy();
    await iterator.return?.(undefined);
    for (const s of shards) if (s.own) await s.client.end().catch(() => undefined);
  }
}
