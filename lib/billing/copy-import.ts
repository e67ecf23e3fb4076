// Fast path of the FOCUS importer for CSV / gzipped CSV: the file's bytes go straight into
// `COPY … FROM STDIN (FORMAT csv)` of an all-text UNLOGGED table (Node does no per-row work), then
// one INSERT … SELECT checks every row against a strict grammar (WHERE) and casts the rows that
// pass into a CostRecord-shaped staging table, which the importer swaps in as usual.
//
// The grammar is deliberately narrower than the JS normaliser (plain decimals, ISO dates, known
// ChargeCategory, …). Any file it does not accept whole — a bad row, a currency-formatted number,
// US dates, a ragged row, an Azure native export, a truncated gzip — is handed back (a `fallbackReason`) to the
// row-by-row path, which then imports it or rejects it with its row-level errors. So both paths
// store the same rows, and error messages have one source.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { Db } from '../db/client';
import { isAzureNativeExport } from './azure-ea';
import { COPY_COLUMNS, FOCUS_COLUMNS, type FocusColumn, MANDATORY_COLUMNS, focusColumnFor } from './focus-columns';
import { Linker, type TagMapping } from './linking';
import { type ImportDefaults, RowNormaliser, copyLine } from './normalize';
import { isNullToken, parseTags } from './values';

export interface CopyStageResult {
  rows: number;
  groups: { month: string; scopeKey: string; providerName: string; billingAccountId: string | null; rows: number }[];
  /** Why the fast path handed the file back (null when it staged the file). */
  fallbackReason: null;
}

export interface CopyFallback {
  rows: 0;
  groups: [];
  fallbackReason: string;
}

const MAX_HEADER_BYTES = 1 << 20;
const WS = `E' \\t\\r\\n\\f\\v'`;
// The checks avoid regular expressions (≈ 3 µs per call in PostgreSQL, 10+ per row): translate()
// maps digits away or to one symbol and the rest is compared with short constants.
/**
 * Decimals as written: digits with at most a sign and a dot, ≤ 30 fraction digits (numeric(65,30)
 * would round more). Anything odd that slips through ('-', '1-2') fails the cast → row path.
 */
const validNumber = (v: string) =>
  `(translate(${v}, '0123456789', '') IN ('', '.', '-', '-.', '+', '+.') AND (position('.' in ${v}) = 0 OR length(${v}) - position('.' in ${v}) <= 30))`;
/** ISO 8601 shapes in UTC the row path stores unchanged (0 = a digit); case-sensitive T and Z. */
const DATE_SHAPES = ['0000-00-00'];
for (const sep of ['T', ' ']) {
  for (const time of ['00:00', '00:00:00', '00:00:00.0', '00:00:00.00', '00:00:00.000']) {
    for (const zone of ['', 'Z']) DATE_SHAPES.push(`0000-00-00${sep}${time}${zone}`);
  }
}
/** Shape, year ≥ 1000, hour ≤ 23, second ≤ 59 (PostgreSQL would accept 24:00 and :60); impossible days fail the cast. */
const validDateText = (v: string) =>
  `(translate(${v}, '0123456789', '0000000000') IN (${DATE_SHAPES.map((d) => `'${d}'`).join(', ')}) AND left(${v}, 1) <> '0'
    AND (length(${v}) < 13 OR substr(${v}, 12, 2) COLLATE "C" < '24') AND (length(${v}) < 19 OR substr(${v}, 18, 1) COLLATE "C" < '6'))`;

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Reads the first line (the header) of the decompressed stream; the rest is passed on untouched. */
async function splitHeader(source: AsyncIterator<Buffer>): Promise<{ header: string; rest: AsyncGenerator<Buffer> } | null> {
  let head = Buffer.alloc(0);
  for (;;) {
    const next = await source.next();
    if (next.done) return null; // no complete header line: let the row path explain
    head = Buffer.concat([head, next.value]);
    const nl = head.indexOf(0x0a);
    if (nl >= 0) {
      const header = head.subarray(0, nl).toString('utf8').replace(/^\uFEFF/, '').replace(/\r$/, '');
      const remainder = head.subarray(nl + 1);
      async function* rest(): AsyncGenerator<Buffer> {
        if (remainder.length) yield remainder;
        for (;;) {
          const chunk = await source.next();
          if (chunk.done) return;
          yield chunk.value;
        }
      }
      return { header, rest: rest() };
    }
    if (head.length > MAX_HEADER_BYTES) return null;
  }
}

function parseHeader(line: string): string[] | null {
  try {
    const rows = parse(line, { relax_quotes: true }) as string[][];
    return rows.length === 1 ? rows[0]!.map((h) => h.trim()) : null;
  } catch {
    return null;
  }
}

export interface CopyStageOptions {
  importId: string;
  /** CostRecord-shaped table to create and fill (the importer's staging table). */
  stage: string;
  defaults: ImportDefaults;
  tagMapping: TagMapping[];
  gzip: boolean;
  /** Lines sent to COPY so far (a newline count: an estimate when quoted cells hold newlines), about once a second. */
  onProgress?: (rowsRead: number) => Promise<void>;
}

/** Counts newlines as the bytes pass (memchr-speed indexOf; no per-row JS objects) and reports throttled progress. */
export async function* countedLines(chunks: AsyncGenerator<Buffer>, onProgress?: (rowsRead: number) => Promise<void>): AsyncGenerator<Buffer> {
  let lines = 0;
  let last = Date.now();
  for await (const chunk of chunks) {
    if (onProgress) {
      for (let at = chunk.indexOf(0x0a); at >= 0; at = chunk.indexOf(0x0a, at + 1)) lines += 1;
      if (Date.now() - last >= 1000) {
        last = Date.now();
        await onProgress(lines);
      }
    }
    yield chunk;
  }
}

export async function stageCsvByCopy(client: pg.Client, db: Db, filePath: string, options: CopyStageOptions): Promise<CopyStageResult | CopyFallback> {
  const raw = `CostRaw_${options.stage}`;
  const links = `CostLink_${options.stage}`;
  const fallback = async (reason: string): Promise<CopyFallback> => {
    await client.query(`DROP TABLE IF EXISTS "${raw}", "${links}", "${options.stage}"`).catch(() => undefined);
    return { rows: 0, groups: [], fallbackReason: reason };
  };
  const input = createReadStream(filePath, { highWaterMark: 1 << 20 });
  const bytes = options.gzip ? input.pipe(createGunzip()) : input;
  if (options.gzip) input.on('error', (error) => bytes.destroy(error));
  const iterator = bytes[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    let split: Awaited<ReturnType<typeof splitHeader>>;
    try {
      split = await splitHeader(iterator);
    } catch (error) {
      return await fallback(`unreadable: ${(error as Error).message}`);
    }
    if (!split) return await fallback('no header line');
    const headers = parseHeader(split.header);
    if (!headers || headers.length < 2) return await fallback('header not comma-separated');
    if (isAzureNativeExport(headers)) return await fallback('Azure native export');
    const linker = await Linker.load(db, options.tagMapping);
    try {
      new RowNormaliser(headers, options.importId, options.defaults, linker); // checks mandatory columns
    } catch (error) {
      return await fallback(`header: ${(error as Error).message}`);
    }

    // Header → FOCUS column, exactly as RowNormaliser matches them (a repeated column goes to extra).
    const seen = new Set<string>();
    const mapped = headers.map((header, i) => {
      const column = focusColumnFor(header) ?? null;
      if (column && seen.has(column.db)) return { header, i, column: null };
      if (column) seen.add(column.db);
      return { header, i, column };
    });
    const byDb = new Map<string, number>();
    for (const m of mapped) if (m.column) byDb.set(m.column.db, m.i);

    await client.query(`SET TIME ZONE 'UTC'`);
    // Memoize over the per-row LATERALs only costs (every key is distinct); the link join wants a hash.
    await client.query(`SET enable_memoize = off`);
    await client.query(`SET work_mem = '64MB'`);
    await client.query(
      `CREATE UNLOGGED TABLE "${raw}" (row_no bigint GENERATED ALWAYS AS IDENTITY, ${headers.map((_, i) => `c${i} text`).join(', ')})`,
    );
    const copy = client.query(copyStreams.from(`COPY "${raw}" (${headers.map((_, i) => `c${i}`).join(', ')}) FROM STDIN (FORMAT csv, HEADER false)`));
    try {
      await pipeline(Readable.from(countedLines(split.rest, options.onProgress)), copy);
    } catch (error) {
      // Ragged rows, bad UTF-8, a truncated gzip: the row path reports these precisely.
      return await fallback(`COPY: ${(error as Error).message}`);
    }
    const rows = Number(copy.rowCount);
    if (rows === 0) return await fallback('no rows');

    // Each cell is trimmed and null-token-checked once per row (LATERAL … OFFSET 0 keeps the planner
    // from inlining the expressions into every use), then referenced as n.v<i>.
    const nullToken = (t: string) => `CASE WHEN ${t} = '' OR (length(${t}) BETWEEN 3 AND 4 AND lower(${t}) IN ('null', 'none', 'n/a', 'nan')) THEN NULL ELSE ${t} END`;
    const normalisedFrom = `"${raw}" r
      CROSS JOIN LATERAL (SELECT ${headers.map((_, i) => `btrim(r.c${i}, ${WS}) AS t${i}`).join(', ')} OFFSET 0) t
      CROSS JOIN LATERAL (SELECT ${headers.map((_, i) => `${nullToken(`t.t${i}`)} AS v${i}`).join(', ')} OFFSET 0) n`;
    const v = (db: string) => (byDb.has(db) ? `n.v${byDb.get(db)}` : 'NULL::text');
    const rawCell = (db: string) => (byDb.has(db) ? `r.c${byDb.get(db)}` : 'NULL::text');
    /** The same normalisation inline, for the one small query that needs only two columns. */
    const vInline = (db: string) => (byDb.has(db) ? nullToken(`btrim(r.c${byDb.get(db)}, ${WS})`) : 'NULL::text');
    const providerExpr = `coalesce(${v('providerName')}, ${v('serviceProviderName')}, ${options.defaults.providerName ? lit(options.defaults.providerName) : 'NULL'})`;
    const currencyExpr = `upper(coalesce(${v('billingCurrency')}, ${options.defaults.billingCurrency ? lit(options.defaults.billingCurrency) : "''"}))`;
    // Impossible days (09-31) pass the pattern and make the cast fail: that, too, hands the file back.
    const validDate = (db: string) => validDateText(v(db));

    const checks: [string, string][] = [];
    for (const m of MANDATORY_COLUMNS) checks.push([m, `${v(m.charAt(0).toLowerCase() + m.slice(1))} IS NOT NULL`]);
    for (const c of FOCUS_COLUMNS) {
      if (!byDb.has(c.db)) continue;
      if (c.type === 'cost' || c.type === 'decimal') checks.push([c.focus, `${v(c.db)} IS NULL OR ${validNumber(v(c.db))}`]);
      if (c.type === 'datetime') checks.push([c.focus, `${v(c.db)} IS NULL OR ${validDate(c.db)}`]);
    }
    checks.push(['ChargeCategory', `lower(${v('chargeCategory')}) IN ('usage', 'purchase', 'tax', 'credit', 'adjustment')`]);
    checks.push(['ProviderName', `${providerExpr} IS NOT NULL`]);
    checks.push(['BillingCurrency', `length(${currencyExpr}) = 3 AND translate(${currencyExpr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '') = ''`]);
    checks.push([
      'ChargePeriodEnd',
      // Not guarded by the shape checks (AND has no order): a cast that fails hands the file back anyway.
      `CASE WHEN ${v('chargePeriodStart')} IS NULL OR ${v('chargePeriodEnd')} IS NULL THEN true ELSE ${v('chargePeriodEnd')}::timestamp >= ${v('chargePeriodStart')}::timestamp END`,
    ]);
    const ok = checks.map(([, sql]) => `coalesce((${sql}), false)`);
    /** Only when the INSERT skipped rows: the first one, for the fallback reason. */
    const firstBad = async () => {
      const bad = await client.query<{ row_no: string; col: string }>(
        `SELECT r.row_no, CASE ${checks.map(([col], i) => `WHEN NOT ${ok[i]} THEN ${lit(col)}`).join(' ')} END AS col
           FROM ${normalisedFrom} WHERE NOT (${ok.join(' AND ')}) ORDER BY r.row_no LIMIT 1`,
      );
      return bad.rows[0] ? `row ${Number(bad.rows[0].row_no) + 1}: ${bad.rows[0].col}` : 'rows skipped';
    };

    // Linking and Tags: once per distinct (ResourceId, Tags) in JS, with the row path's own code.
    const tagsRawOf = (value: (db: string) => string) =>
      byDb.has('tags') ? `CASE WHEN ${value('tags')} IS NULL THEN NULL ELSE ${rawCell('tags')} END` : 'NULL::text';
    const tagsRaw = tagsRawOf(v);
    const ridKey = `CASE WHEN ${v('resourceId')} IS NULL THEN '' ELSE 'v' || ${v('resourceId')} END`;
    const tagKey = `CASE WHEN ${tagsRaw} IS NULL THEN '' ELSE 'v' || ${tagsRaw} END`;
    const pairs = await client.query<{ rid: string | null; tags: string | null }>(
      `SELECT DISTINCT ${vInline('resourceId')} AS rid, ${tagsRawOf(vInline)} AS tags FROM "${raw}" r`,
    );
    await client.query(
      `CREATE UNLOGGED TABLE "${links}" (rid_key text, tag_key text, vm_id text, project_id text, account_id text, tags jsonb, invalid text)`,
    );
    const linkCopy = client.query(copyStreams.from(`COPY "${links}" FROM STDIN`));
    async function* linkLines(): AsyncGenerator<string> {
      let buffer = '';
      for (const pair of pairs.rows) {
        let tags: Record<string, string> = {};
        let invalid: string | null = null;
        if (pair.tags !== null && !isNullToken(pair.tags)) {
          try {
            tags = parseTags(pair.tags);
          } catch {
            invalid = pair.tags;
          }
        }
        const link = linker.link(pair.rid, tags);
        buffer += copyLine([
          pair.rid === null ? '' : `v${pair.rid}`,
          pair.tags === null ? '' : `v${pair.tags}`,
          link.vmId,
          link.projectId,
          link.providerAccountId,
          JSON.stringify(tags),
          invalid,
        ]);
        if (buffer.length > 1 << 18) {
          yield buffer;
          buffer = '';
        }
      }
      if (buffer) yield buffer;
    }
    await pipeline(Readable.from(linkLines()), linkCopy);
    await client.query(`ANALYZE "${links}"`);

    const value = (c: FocusColumn): string => {
      switch (c.db) {
        case 'chargeCategory':
          return `initcap(lower(${v(c.db)}))`;
        case 'chargeFrequency':
          return `CASE lower(${v(c.db)}) WHEN 'one-time' THEN 'One-Time' WHEN 'recurring' THEN 'Recurring' WHEN 'usage-based' THEN 'Usage-Based' ELSE ${v(c.db)} END`;
        case 'providerName':
          return providerExpr;
        case 'billingCurrency':
          return currencyExpr;
      }
      if (c.type === 'cost' || c.type === 'decimal') return `${v(c.db)}::numeric(65,30)`;
      if (c.type === 'datetime') return `${v(c.db)}::timestamp(3)`;
      if (c.type === 'tags') return 'l.tags';
      return v(c.db);
    };
    // Unknown columns (and repeated ones) are kept verbatim in extra; jsonb_build_object takes ≤ 100 arguments.
    const unknown = mapped.filter((m) => !m.column);
    const extraParts = ["'{}'::jsonb"];
    for (let i = 0; i < unknown.length; i += 40) {
      const pairsSql = unknown
        .slice(i, i + 40)
        .map((m) => `${lit(m.header)}, CASE WHEN n.v${m.i} IS NULL THEN NULL ELSE r.c${m.i} END`);
      extraParts.push(`jsonb_strip_nulls(jsonb_build_object(${pairsSql.join(', ')}))`);
    }
    extraParts.push(`CASE WHEN l.invalid IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('Tags(invalid)', l.invalid) END`);
    const bps = `${v('billingPeriodStart')}::timestamp`;
    const select = [
      `${lit(options.importId)} || '.' || r.row_no`,
      `date_trunc('month', ${bps})::date`,
      `left(md5(convert_to(${providerExpr}, 'UTF8') || '\\x00'::bytea || convert_to(coalesce(${v('billingAccountId')}, ''), 'UTF8')), 16)`,
      lit(options.importId),
      ...FOCUS_COLUMNS.map(value),
      extraParts.join(' || '),
      'l.account_id',
      'l.project_id',
      'l.vm_id',
    ];
    await client.query(`CREATE TABLE "${options.stage}" (LIKE "CostRecord" INCLUDING DEFAULTS)`);
    // One pass: rows outside the grammar are skipped by the WHERE (before any cast runs on them), so
    // fewer rows inserted than copied means "hand the file back"; a cast error means the same.
    let inserted: number;
    try {
      const insert = await client.query(
        `INSERT INTO "${options.stage}" (${COPY_COLUMNS.map((c) => `"${c}"`).join(', ')})
         SELECT ${select.join(',\n')}
         FROM ${normalisedFrom} JOIN "${links}" l ON l.rid_key = ${ridKey} AND l.tag_key = ${tagKey}
         WHERE ${ok.join(' AND ')}`,
      );
      inserted = insert.rowCount ?? 0;
    } catch (error) {
      return await fallback(`cast: ${(error as Error).message}`);
    }
    if (inserted !== rows) return await fallback(await firstBad());
    await client.query(`DROP TABLE "${raw}", "${links}"`);
    const groups = await client.query<{ month: string; scopeKey: string; providerName: string; billingAccountId: string | null; n: string }>(
      `SELECT "billingMonth"::text AS month, "scopeKey", "providerName", "billingAccountId", count(*) AS n
         FROM "${options.stage}" GROUP BY 1, 2, 3, 4`,
    );
    return {
      rows,
      groups: groups.rows.map((g) => ({ month: g.month, scopeKey: g.scopeKey, providerName: g.providerName, billingAccountId: g.billingAccountId, rows: Number(g.n) })),
      fallbackReason: null,
    };
  } catch (error) {
    await fallback('error');
    throw error;
  } finally {
    input.destroy();
    bytes.destroy();
  }
}
