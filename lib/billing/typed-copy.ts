// Fastest path of the FOCUS importer, for clean CSV / gzipped CSV exports: the file's bytes go
// straight into `COPY … (FORMAT csv)` of a table that already has CostRecord's typed columns
// (numeric, timestamp, jsonb Tags), so PostgreSQL parses and types every cell in C and Node does no
// per-row work. The table is created in the same transaction as the COPY (with wal_level=minimal
// PostgreSQL then skips WAL for it) and becomes the period's partition as is.
//
// What COPY cannot do is checked afterwards, set-based, in one scan: trims, null tokens other than
// the file's own, canonical ChargeCategory / ChargeFrequency / currency, period ordering, NaN and
// infinite values. A file that needs any per-cell normalisation (or that COPY rejects: text in a
// cost column, US money, a ragged row…) is handed back with a reason, to the SQL-normalising COPY
// path (copy-import.ts) and then the row path, which import it or reject it with row-level errors.
// So all paths store the same rows and every error message has one source.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { Db } from '../db/client';
import { isAzureNativeExport } from './azure-ea';
import { CHARGE_CATEGORIES, CHARGE_FREQUENCIES, FOCUS_COLUMNS, type FocusColumn, focusColumnFor } from './focus-columns';
import { Linker, type TagMapping } from './linking';
import { type ImportDefaults, RowNormaliser, copyLine, scopeKeyFor } from './normalize';
import { isNullToken, parseDateTime, parseTags } from './values';
import { countedLines, type CopyFallback, type CopyStageResult } from './copy-import';
import { ROLLUP_SELECT } from './partitions';

/** Bytes read ahead to find the header, the first row and the file's null token. */
const SAMPLE_BYTES = 64 * 1024;
/**
 * A time followed by a UTC offset or a zone name/abbreviation ("+02:00", " CET", "Europe/Paris"):
 * timestamp input would silently drop it, so such files go to the paths that convert it. A bare
 * "Z" passes. (A tag value that merely looks like this only costs the slower path.)
 */
const UTC_OFFSET = /:\d\d(?:\.\d+)?(?:[+-]\d\d| ?[A-Za-z]{2,})/;
const NULL_TOKENS = ['null', 'none', 'n/a', 'nan'];
const OFFSET_SLICE = 32 * 1024;

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

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
    chunks.push(next.value);
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

/**
 * Drops blank lines outside quoted cells (some exports put one after every row; COPY would reject
 * them, the row path skips them). Only used when the read-ahead shows blank lines: it looks at
 * every byte, which plain files need not pay for.
 */
function blankLineStripper(): (chunk: Buffer) => Buffer {
  let inQuotes = false;
  let lineStart = true;
  let pendingCr = false;
  return (chunk) => {
    const out = Buffer.allocUnsafe(chunk.length + 1);
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (pendingCr) {
        pendingCr = false;
        if (b === 0x0a) continue; // "\r\n" on an empty line
        out[n++] = 0x0d;
      }
      if (!inQuotes && lineStart) {
        if (b === 0x0a) continue;
        if (b === 0x0d) {
          pendingCr = true;
          continue;
        }
      }
      if (b === 0x22) inQuotes = !inQuotes;
      lineStart = !inQuotes && b === 0x0a;
      out[n++] = b;
    }
    return out.subarray(0, n);
  };
}

/** The UTC-offset guard as the bytes pass (no per-row objects); progress is counted by `countedLines`. */
async function* offsetGuarded(chunks: AsyncGenerator<Buffer>, state: { offsetSeen: boolean }, transform?: (chunk: Buffer) => Buffer): AsyncGenerator<Buffer> {
  let tail = '';
  for await (const raw of chunks) {
    const chunk = transform ? transform(raw) : raw;
    // In 32 KiB slices (overlapping by 32 bytes): short-lived strings stay in V8's young generation
    // instead of piling up as large objects until a full GC, which showed as RSS growth.
    for (let at = 0; at < chunk.length; at += OFFSET_SLICE) {
      const text = tail + chunk.toString('latin1', at, Math.min(chunk.length, at + OFFSET_SLICE));
      if (UTC_OFFSET.test(text)) {
        state.offsetSeen = true;
        throw new Error('a date-time with a UTC offset');
      }
      tail = text.slice(-32);
    }
    yield chunk;
  }
}

export interface TypedCopyOptions {
  importId: string;
  stage: string;
  defaults: ImportDefaults;
  tagMapping: TagMapping[];
  gzip: boolean;
  onProgress?: (rowsRead: number) => Promise<void>;
  onPhase?: (phase: string) => Promise<void>;
}

export interface TypedStageResult extends CopyStageResult {
  /** Indexes and the partition CHECK are already built for a one-period file. */
  indexed: boolean;
  /** The one period's daily rollup rows (CostDailyRollup's columns), for the swap. */
  rollupTable: string | null;
}

/** Index set of a CostRecord leaf (the parent's indexes; ATTACH adopts them). */
export const LEAF_INDEXES: string[][] = [['chargePeriodStart'], ['projectId', 'chargePeriodStart'], ['vmId'], ['resourceId']];

export async function stageCsvTyped(
  client: pg.Client,
  db: Db,
  filePath: string,
  options: TypedCopyOptions,
): Promise<TypedStageResult | CopyFallback> {
  const { stage } = options;
  const seq = `${stage}_seq`;
  let inTransaction = false;
  const fallback = async (reason: string): Promise<CopyFallback> => {
    if (inTransaction) await client.query('ROLLBACK').catch(() => undefined);
    inTransaction = false;
    return { rows: 0, groups: [], fallbackReason: `typed COPY: ${reason}` };
  };
  // 256 KiB reads and one chunk in flight (below): memory stays flat whatever the file size.
  const input = createReadStream(filePath, { highWaterMark: 1 << 18 });
  const bytes = options.gzip ? input.pipe(createGunzip()) : input;
  if (options.gzip) input.on('error', (error) => bytes.destroy(error));
  const iterator = bytes[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
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
      new RowNormaliser(headers, options.importId, options.defaults, linker); // checks mandatory columns
    } catch (error) {
      return await fallback(`header: ${(error as Error).message}`);
    }
    if (UTC_OFFSET.test(peeked.sample)) return await fallback('a date-time with a UTC offset');
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

    await client.query('BEGIN');
    inTransaction = true;
    await client.query(`SET LOCAL TIME ZONE 'UTC'`);
    await client.query(`SET LOCAL DateStyle = 'ISO, MDY'`);
    await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    await client.query(`SET LOCAL work_mem = '64MB'`);
    await client.query(`CREATE SEQUENCE "${seq}" CACHE 1000`);
    await client.query(`CREATE TABLE "${stage}" (LIKE "CostRecord" INCLUDING DEFAULTS)`);
    const alters = [
      `ALTER COLUMN "id" SET DEFAULT ${lit(`${options.importId}.`)} || nextval('"${seq}"')::text`,
      `ALTER COLUMN "billingMonth" SET DEFAULT ${lit(month)}`,
      `ALTER COLUMN "scopeKey" SET DEFAULT ${lit(scopeKey)}`,
      `ALTER COLUMN "importId" SET DEFAULT ${lit(options.importId)}`,
      // An empty Tags cell is {} (set after the COPY); NOT NULL is restored before the swap.
      ...(present.has('tags') ? [`ALTER COLUMN "tags" DROP NOT NULL`] : []),
      ...unknown.map((u) => `ADD COLUMN "${u.target}" text`),
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
    await client.query(`ALTER TABLE "${stage}" ${alters.join(', ')}`);
    // The partition constraint as a CHECK: ATTACH then skips its validation scan.
    await client.query(`ALTER TABLE "${stage}" ADD CONSTRAINT "${stage}_part" CHECK ("billingMonth" = ${lit(month)} AND "scopeKey" = ${lit(scopeKey)})`);

    await options.onPhase?.('copy');
    const columns = targets.map((t) => ident(t.target)).join(', ');
    const copy = client.query(
      copyStreams.from(`COPY "${stage}" (${columns}) FROM STDIN (FORMAT csv, HEADER false, NULL ${lit(nullToken)}, FORCE_NULL (${columns}))`),
    );
    const state = { offsetSeen: false };
    try {
      const blankLines = /\n\r?\n/.test(`\n${peeked.sample}`);
      await pipeline(Readable.from(countedLines(offsetGuarded(peeked.rest, state, blankLines ? blankLineStripper() : undefined), options.onProgress), { highWaterMark: 1 }), copy);
    } catch (error) {
      return await fallback(state.offsetSeen ? 'a date-time with a UTC offset' : (error as Error).message);
    }
    const rows = Number(copy.rowCount);
    if (rows === 0) return await fallback('no rows');

    await options.onPhase?.('link');
    // Linking (and the rare Tags that need normalising) once per distinct (ResourceId, Tags), with
    // the row path's own code; only rows that link or change are updated.
    const pairSql = `SELECT "resourceId" AS rid, "tags", count(*)::int AS n FROM "${stage}" GROUP BY 1, 2`;
    let pairs = await client.query<{ rid: string | null; tags: unknown; n: number }>(pairSql);
    if (pairs.rows.some((p) => p.tags === null)) {
      // Empty Tags cells are {} (as on the row path); only files that have them pay for this update.
      await client.query(`UPDATE "${stage}" SET "tags" = '{}' WHERE "tags" IS NULL`);
      pairs = await client.query<{ rid: string | null; tags: unknown; n: number }>(pairSql);
    }
    const links: string[] = [];
    let linkedRows = 0;
    for (const pair of pairs.rows) {
      if (typeof pair.tags !== 'object' || pair.tags === null || Array.isArray(pair.tags)) return await fallback('Tags that are not a JSON object');
      if (pair.rid !== null && (pair.rid !== pair.rid.trim() || isNullToken(pair.rid))) return await fallback('ResourceId needs normalisation');
      const tags = parseTags(pair.tags);
      const changed = Object.entries(pair.tags).some(([k, v]) => typeof v !== 'string' || k !== k.trim() || !k);
      const link = linker.link(pair.rid, tags);
      if (!changed && !link.vmId && !link.projectId && !link.providerAccountId) continue;
      linkedRows += pair.n;
      links.push(copyLine([pair.rid ?? '\u0001', JSON.stringify(pair.tags), JSON.stringify(tags), link.vmId, link.projectId, link.providerAccountId]));
    }
    if (links.length) {
      const linkTable = `${stage}_links`;
      await client.query(`CREATE TEMP TABLE "${linkTable}" (rid text, tags jsonb, new_tags jsonb, vm_id text, project_id text, account_id text) ON COMMIT DROP`);
      await pipeline(Readable.from(links), client.query(copyStreams.from(`COPY "${linkTable}" FROM STDIN`)));
      await client.query(`ANALYZE "${linkTable}"`);
      const join = `coalesce(s."resourceId", E'\\x01') = l.rid AND s."tags" = l.tags`;
      if (linkedRows * 5 < rows) {
        // A few rows link: update just those.
        await client.query(
          `UPDATE "${stage}" s SET "tags" = l.new_tags, "vmId" = l.vm_id, "projectId" = l.project_id, "providerAccountId" = l.account_id
             FROM "${linkTable}" l WHERE ${join}`,
        );
      } else {
        // Most rows link (a real estate: every row carries a project tag): one INSERT … SELECT into a
        // fresh table (same transaction, so no WAL either) beats an UPDATE that would leave every row
        // twice in the partition-to-be.
        const linked = `${stage}_linked`;
        const cols = await client.query<{ name: string }>(
          `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
          [`"${stage}"`],
        );
        const replaced: Record<string, string> = {
          tags: 'coalesce(l.new_tags, s."tags")',
          vmId: 'l.vm_id',
          projectId: 'l.project_id',
          providerAccountId: 'l.account_id',
        };
        await client.query(`CREATE TABLE "${linked}" (LIKE "${stage}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
        await client.query(
          `INSERT INTO "${linked}" (${cols.rows.map((c) => ident(c.name)).join(', ')})
           SELECT ${cols.rows.map((c) => replaced[c.name] ?? `s.${ident(c.name)}`).join(', ')} FROM "${stage}" s LEFT JOIN "${linkTable}" l ON ${join}`,
        );
        await client.query(`DROP TABLE "${stage}"`);
        await client.query(`ALTER TABLE "${linked}" RENAME TO "${stage}"`);
      }
    }

    // One scan builds the period's daily rollup (the swap inserts it instead of re-reading the
    // leaf) and finds any cell that needs what COPY does not do.
    await options.onPhase?.('validate');
    // Text cells: the columns the rollup groups by (few distinct values) are checked on the rollup
    // rows, ResourceId on the distinct link pairs; the rest per row. All of a row's cells joined
    // by \x01 (concat_ws skips NULLs): one regex finds untrimmed, empty and null-token cells at once.
    const needsWork = (cols: string[]) =>
      cols.length
        ? `(E'\\x01' || concat_ws(E'\\x01', ${cols.map(ident).join(', ')}) || E'\\x01') ~* E'\\x01[ \\t\\r\\n\\f\\v]|[ \\t\\r\\n\\f\\v]\\x01|\\x01\\x01|\\x01(null|none|n/a|nan)\\x01'`
        : 'false';
    const perGroup = new Set(['providerName', 'billingCurrency', 'chargeCategory', 'regionId', 'serviceCategory', 'serviceName', 'subAccountId', 'billingAccountId', 'resourceId']);
    const perRowText = FOCUS_COLUMNS.filter((c) => c.type === 'string' && present.has(c.db) && !perGroup.has(c.db)).map((c) => c.db);
    const numberColumns = FOCUS_COLUMNS.filter((c) => (c.type === 'cost' || c.type === 'decimal') && present.has(c.db));
    const dateColumns = FOCUS_COLUMNS.filter((c) => c.type === 'datetime');
    const bad = [
      needsWork(perRowText),
      `"chargePeriodEnd" < "chargePeriodStart"`,
      ...(present.has('chargeFrequency')
        ? [`("chargeFrequency" NOT IN (${CHARGE_FREQUENCIES.map(lit).join(', ')}) AND lower("chargeFrequency") IN (${CHARGE_FREQUENCIES.map((f) => lit(f.toLowerCase())).join(', ')}))`]
        : []),
      ...numberColumns.map((c) => `${ident(c.db)} = 'NaN'::numeric`),
      ...dateColumns.map((c) => `NOT (${ident(c.db)} BETWEEN '1000-01-01' AND '9999-12-31 23:59:59.999')`),
    ];
    const groupBad = [
      needsWork(['providerName', 'billingCurrency', 'chargeCategory', 'region', 'serviceCategory', 'serviceName', 'subAccountId', 'account']),
      `"chargeCategory" NOT IN (${CHARGE_CATEGORIES.map(lit).join(', ')})`,
      `(length("billingCurrency") <> 3 OR translate("billingCurrency", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '') <> '')`,
    ];
    const rollup = `${stage}_rollup`;
    await client.query(`SET LOCAL max_parallel_workers_per_gather = 0`); // one hash aggregate beats a parallel sort here
    await client.query(
      `CREATE TABLE "${rollup}" AS SELECT ${ROLLUP_SELECT},
              date_trunc('month', "billingPeriodStart")::date::text AS period_month, "billingAccountId" AS account,
              bool_or(${bad.map((b) => `coalesce(${b}, false)`).join(' OR ')}) AS bad
         FROM "${stage}" GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, period_month, account`,
    );
    const scan = await client.query<{ month: string; providerName: string; billingAccountId: string | null; n: string; bad: boolean }>(
      `SELECT period_month AS month, "providerName", account AS "billingAccountId", sum("rowCount") AS n,
              bool_or(bad OR ${groupBad.map((b) => `coalesce(${b}, false)`).join(' OR ')}) AS bad
         FROM "${rollup}" GROUP BY 1, 2, 3`,
    );
    if (scan.rows.some((g) => g.bad)) return await fallback('cells need normalisation');
    const groups = scan.rows.map((g) => ({
      month: g.month,
      scopeKey: scopeKeyFor(g.providerName, g.billingAccountId),
      providerName: g.providerName,
      billingAccountId: g.billingAccountId,
      rows: Number(g.n),
    }));
    const onePeriod = groups.length === 1 && groups[0]!.month === month && groups[0]!.scopeKey === scopeKey;
    if (!onePeriod) {
      // Rare (several accounts or months in one file): re-key the other periods' rows; the swap
      // splits the table and rebuilds each period's rollup from its rows.
      await client.query(`DROP TABLE "${rollup}"`);
      await client.query(`ALTER TABLE "${stage}" DROP CONSTRAINT "${stage}_part"`);
      for (const g of groups) {
        if (g.month === month && g.scopeKey === scopeKey) continue;
        await client.query(
          `UPDATE "${stage}" SET "billingMonth" = $1::date, "scopeKey" = $2
            WHERE date_trunc('month', "billingPeriodStart") = $1::timestamp AND "providerName" = $3 AND "billingAccountId" IS NOT DISTINCT FROM $4`,
          [g.month, g.scopeKey, g.providerName, g.billingAccountId],
        );
      }
    } else {
      await client.query(`ALTER TABLE "${rollup}" DROP COLUMN period_month, DROP COLUMN account, DROP COLUMN bad`);
    }

    // Vendor / unknown columns → extra, only when a file has them (raw text, null tokens dropped).
    if (unknown.length) {
      const value = (u: (typeof unknown)[number]) =>
        `CASE WHEN btrim("${u.target}") = '' OR lower(btrim("${u.target}")) IN (${NULL_TOKENS.map(lit).join(', ')}) THEN NULL ELSE "${u.target}" END`;
      const parts: string[] = [];
      for (let i = 0; i < unknown.length; i += 40) {
        parts.push(`jsonb_strip_nulls(jsonb_build_object(${unknown.slice(i, i + 40).map((u) => `${lit(u.header)}, ${value(u)}`).join(', ')}))`);
      }
      await client.query(`UPDATE "${stage}" SET "extra" = ${parts.join(' || ')} WHERE ${unknown.map((u) => `"${u.target}" IS NOT NULL`).join(' OR ')}`);
      await client.query(`ALTER TABLE "${stage}" ${unknown.map((u) => `DROP COLUMN "${u.target}"`).join(', ')}`);
    }
    await client.query(
      `ALTER TABLE "${stage}" ALTER COLUMN "tags" SET NOT NULL, ALTER COLUMN "tags" SET DEFAULT '{}', ALTER COLUMN "id" DROP DEFAULT,
         ALTER COLUMN "billingMonth" DROP DEFAULT, ALTER COLUMN "scopeKey" DROP DEFAULT, ALTER COLUMN "importId" DROP DEFAULT,
         ALTER COLUMN "providerName" DROP DEFAULT, ALTER COLUMN "billingCurrency" DROP DEFAULT`,
    );
    await client.query(`DROP SEQUENCE "${seq}"`);
    if (onePeriod) {
      // Indexes after the load, in the same transaction (no WAL for them either with wal_level=minimal).
      await options.onPhase?.('index');
      await client.query(`ALTER TABLE "${stage}" ADD PRIMARY KEY ("id", "billingMonth", "scopeKey")`);
      for (const cols of LEAF_INDEXES) await client.query(`CREATE INDEX ON "${stage}" (${cols.map(ident).join(', ')})`);
    }
    await client.query('COMMIT');
    inTransaction = false;
    return { rows, groups, fallbackReason: null, indexed: onePeriod, rollupTable: onePeriod ? rollup : null };
  } catch (error) {
    await fallback('error');
    throw error;
  } finally {
    input.destroy();
    bytes.destroy();
  }
}
