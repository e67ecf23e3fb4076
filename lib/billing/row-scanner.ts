// The typed COPY's one pass over the file's bytes in Node (lib/billing/typed-copy.ts): it finds
// row and cell boundaries the way PostgreSQL's CSV COPY does, refuses any cell COPY would store
// differently from the row path (untrimmed or null-token text, money or exponent numbers, dates
// with offsets, sub-millisecond or out-of-range times, ragged rows), and appends each row's link
// (VmId, ProjectId, ProviderAccountId) as three extra cells, so PostgreSQL stores linked rows in
// its one COPY instead of rewriting the table afterwards. It works on bytes: per row it makes
// two short strings (the ResourceId and Tags cells, the link cache's key), nothing else.

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** What the scanner checks in a column. */
export const CellKind = { None: 0, Text: 1, Number: 2, Date: 3, Tags: 4 } as const;
export type CellKind = (typeof CellKind)[keyof typeof CellKind];

export class ScanRefusal extends Error {}

export interface LinkCells {
  /** `,<vmId>,<projectId>,<providerAccountId>\n` with the file's null token for nulls. */
  suffix: Buffer;
  /** A CSV cell replacing the Tags cell (normalised or `{}` for a null), when the stored Tags differ from the file's. */
  tags: Buffer | null;
}

export interface ScanColumns {
  kinds: CellKind[];
  /** Index of the ResourceId / Tags cell, or -1. */
  resourceId: number;
  tags: number;
  /**
   * Date columns that are the same in (nearly) every row, such as BillingPeriodStart/End: a cell
   * byte-equal to the first row's is written as the null token (its COPY target is a text column
   * and the typed column's DEFAULT is the first row's value, so PostgreSQL parses it once, not per
   * row); any other cell is kept (and counted in `constantsKept`) for the caller to cast afterwards.
   * Such a cell must not be null: a null is refused (it would read as "same as the first row").
   */
  constants?: number[];
}

/** Decides a (ResourceId, Tags) pair's link once; the scanner caches it by the cells' bytes. */
export type LinkResolver = (resourceId: string | null, tagsJson: string | null) => LinkCells;

const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
const lower = (b: number) => (b >= 0x41 && b <= 0x5a ? b + 32 : b);
const NULL_TOKENS = ['null', 'none', 'n/a', 'nan'].map((t) => Buffer.from(t, 'latin1'));

/** Decimals as written: a sign, digits, one dot, ≤ 30 fraction digits (numeric(65,30) rounds more). */
function isPlainNumber(data: Buffer, s: number, e: number): boolean {
  let p = s;
  if (p < e && (data[p] === 0x2d || data[p] === 0x2b)) p++;
  let digits = 0;
  let fraction = -1;
  for (; p < e; p++) {
    const b = data[p]!;
    if (isDigit(b)) {
      digits++;
      if (fraction >= 0) fraction++;
    } else if (b === 0x2e && fraction < 0) fraction = 0;
    else return false;
  }
  return digits > 0 && fraction <= 30;
}

const two = (data: Buffer, p: number) => (data[p]! - 0x30) * 10 + (data[p + 1]! - 0x30);

/**
 * ISO 8601 in UTC as the row path stores it unchanged: a date, optionally [T ]HH:MM[:SS[.fff]] and
 * a Z. Year ≥ 1000 (four digits), hour ≤ 23, minute and second ≤ 59; impossible days fail the COPY.
 */
function isPlainDate(data: Buffer, s: number, e: number): boolean {
  let len = e - s;
  if (len > 10 && data[e - 1] === 0x5a) len--; // Z
  if (len !== 10 && len !== 16 && len !== 19 && !(len >= 21 && len <= 23)) return false;
  if (!(isDigit(data[s + 0]!) && isDigit(data[s + 1]!) && isDigit(data[s + 2]!) && isDigit(data[s + 3]!) && data[s + 4] === 0x2d && isDigit(data[s + 5]!) && isDigit(data[s + 6]!) && data[s + 7] === 0x2d && isDigit(data[s + 8]!) && isDigit(data[s + 9]!)) || data[s] === 0x30) return false;
  if (len === 10) return true;
  const sep = data[s + 10];
  if ((sep !== 0x54 && sep !== 0x20) || !(isDigit(data[s + 11]!) && isDigit(data[s + 12]!) && data[s + 13] === 0x3a && isDigit(data[s + 14]!) && isDigit(data[s + 15]!))) return false;
  if (two(data, s + 11) > 23 || two(data, s + 14) > 59) return false;
  if (len === 16) return true;
  if (!(data[s + 16] === 0x3a && isDigit(data[s + 17]!) && isDigit(data[s + 18]!)) || two(data, s + 17) > 59) return false;
  if (len === 19) return true;
  if (data[s + 19] !== 0x2e) return false;
  for (let i = 20; i < len; i++) if (!isDigit(data[s + i]!)) return false;
  return true;
}

/** Reads 1–2 digits at `p`; returns [value, next position] or null. */
function digits12(data: Buffer, p: number, e: number): [number, number] | null {
  if (p >= e || !isDigit(data[p]!)) return null;
  if (p + 1 < e && isDigit(data[p + 1]!)) return [two(data, p), p + 2];
  return [data[p]! - 0x30, p + 1];
}

/**
 * The US M/D/YY(YY) [H:MM[:SS]] dates of spreadsheet-made exports, which PostgreSQL (DateStyle MDY)
 * and the row path read alike — except two-digit years from 70, which PostgreSQL puts in the 1900s.
 */
function isUsDate(data: Buffer, s: number, e: number): boolean {
  const month = digits12(data, s, e);
  if (!month || month[0] < 1 || month[0] > 12 || data[month[1]] !== 0x2f) return false;
  const day = digits12(data, month[1] + 1, e);
  if (!day || day[0] < 1 || data[day[1]] !== 0x2f) return false;
  let p = day[1] + 1;
  let years = 0;
  while (p < e && isDigit(data[p]!)) {
    p++;
    years++;
  }
  if (years === 2 ? two(data, p - 2) >= 70 : years !== 4 || data[p - 4] === 0x30) return false;
  if (p === e) return true;
  if (data[p] !== 0x20 && data[p] !== 0x54) return false;
  const hour = digits12(data, p + 1, e);
  if (!hour || hour[0] > 23 || data[hour[1]] !== 0x3a) return false;
  p = hour[1] + 1;
  if (e - p < 2 || !isDigit(data[p]!) || !isDigit(data[p + 1]!) || two(data, p) > 59) return false;
  p += 2;
  if (p === e) return true;
  return e - p === 3 && data[p] === 0x3a && isDigit(data[p + 1]!) && isDigit(data[p + 2]!) && two(data, p + 1) <= 59;
}

/** Whether the bytes end inside a quoted section (quotes toggle it, as COPY reads them). */
function quoteParity(data: Buffer): boolean {
  let inQuotes = false;
  for (let p = data.indexOf(QUOTE); p >= 0; p = data.indexOf(QUOTE, p + 1)) inQuotes = !inQuotes;
  return inQuotes;
}

/** The first newline outside quotes, starting in or out of a quoted section; -1 if none. */
function lineEnd(data: Buffer, inQuotes: boolean): number {
  let p = 0;
  for (;;) {
    if (inQuotes) {
      const close = data.indexOf(QUOTE, p);
      if (close < 0) return -1;
      inQuotes = false;
      p = close + 1;
      continue;
    }
    const lf = data.indexOf(LF, p);
    const quote = data.indexOf(QUOTE, p);
    if (quote >= 0 && (lf < 0 || quote < lf)) {
      inQuotes = true;
      p = quote + 1;
      continue;
    }
    return lf;
  }
}

/** A cached link: the (ResourceId, Tags) cell bytes it was made for, and the cells to append. */
interface CacheEntry {
  key: Buffer;
  ridLength: number;
  cells: LinkCells;
  next: CacheEntry | null;
}

/**
 * FNV-1a over bytes [s, e), every `stride`-th byte and the last four (the cache key without making
 * a string; equal hashes are told apart by comparing the bytes).
 */
function hashBytes(data: Buffer, s: number, e: number, h: number, stride: number): number {
  h = Math.imul(h ^ (e - s), 16777619);
  for (let p = s; p < e; p += stride) h = Math.imul(h ^ data[p]!, 16777619);
  for (let p = Math.max(s, e - 4); p < e; p++) h = Math.imul(h ^ data[p]!, 16777619);
  return h;
}

export class RowScanner {
  /** Data rows seen (blank lines not counted). */
  rows = 0;
  /** Cells of `constants` columns that differ from the first row's (kept in the output). */
  constantsKept = 0;
  /** The first row's bytes of each `constants` column. */
  private readonly firsts: (Buffer | undefined)[] = [];
  private readonly constant: Uint8Array;
  /** The current row's constant cells written as the null token: start, end pairs. */
  private readonly blanks: number[] = [];
  private leftover: Buffer | null = null;
  /** Links by the hash of the cells' bytes; entries with equal hashes are chained. */
  private readonly cache = new Map<number, CacheEntry>();
  private readonly kinds: Uint8Array;
  private readonly count: number;
  private readonly nullToken: Buffer;

  constructor(
    private readonly columns: ScanColumns,
    nullToken: string,
    private readonly resolve: LinkResolver,
  ) {
    this.kinds = Uint8Array.from(columns.kinds);
    this.count = columns.kinds.length;
    this.constant = new Uint8Array(this.count);
    for (const c of columns.constants ?? []) {
      if (columns.kinds[c] !== CellKind.Date) throw new Error('only date columns can be constant');
      this.constant[c] = 1;
    }
    this.nullToken = Buffer.from(nullToken, 'utf8');
  }

  /**
   * The complete rows of `chunk` (with what was left of the previous one), link cells appended;
   * `chunk` may be reused afterwards. The rows are written into `into` when given (grown into a new
   * buffer only if they do not fit: the result's `.buffer` then differs), so a caller can reuse its
   * output buffers instead of leaving one per chunk to the garbage collector.
   */
  push(chunk: Buffer, into?: Buffer): Buffer {
    const size = chunk.length + (chunk.length >> 2) + (this.leftover?.length ?? 0) + 4096;
    const sink = { out: into && into.length >= size ? into : Buffer.allocUnsafe(Math.max(size, into?.length ?? 0)), o: 0 };
    const leftover = this.leftover;
    this.leftover = null;
    if (!leftover) {
      this.scan(chunk, false, sink);
    } else {
      // Only the row the previous chunk cut is copied (with its start): the rest is scanned in place.
      const end = lineEnd(chunk, quoteParity(leftover));
      if (end < 0) {
        this.leftover = Buffer.concat([leftover, chunk]);
        return Buffer.alloc(0);
      }
      this.scan(Buffer.concat([leftover, chunk.subarray(0, end + 1)]), false, sink);
      this.scan(chunk.subarray(end + 1), false, sink);
    }
    return sink.out.subarray(0, sink.o);
  }

  /** The last row when the file does not end with a newline. */
  end(): Buffer {
    const data = this.leftover;
    this.leftover = null;
    if (!data?.length) return Buffer.alloc(0);
    const sink = { out: Buffer.allocUnsafe(data.length * 2 + 4096), o: 0 };
    this.scan(data, true, sink);
    return sink.out.subarray(0, sink.o);
  }

  // One loop over the bytes: quoted sections are skipped with indexOf (memchr); a cell that can
  // only be plain text (unquoted, longer than a null token, no blank at either end) costs two
  // byte reads, everything else goes through `check`.
  private scan(data: Buffer, final: boolean, sink: { out: Buffer; o: number }): void {
    const n = data.length;
    const kinds = this.kinds;
    const count = this.count;
    const ridColumn = this.columns.resourceId;
    const tagColumn = this.columns.tags;
    const constant = this.constant;
    const blanks = this.blanks;
    const nullToken = this.nullToken;
    let out = sink.out;
    let o = sink.o;
    let lineStart = 0;
    while (lineStart < n) {
      let field = 0;
      let s = lineStart;
      let p = lineStart;
      let quoted = false;
      let ridS = -1;
      let ridE = -1;
      let tagS = -1;
      let tagE = -1;
      let lineEnd = -1;
      let contentEnd = -1;
      let kept = 0;
      blanks.length = 0;
      for (;;) {
        let b = 0;
        while (p < n) {
          b = data[p]!;
          if (b === QUOTE) {
            const close = data.indexOf(QUOTE, p + 1);
            quoted = true;
            if (close < 0) {
              p = n;
              b = -1; // an unclosed quote
              break;
            }
            p = close + 1;
            continue;
          }
          if (b === COMMA || b === LF) break;
          p++;
        }
        if (p >= n) {
          if (!final) break;
          if (b === -1) throw new ScanRefusal(`row ${this.rows + 1}: a quoted cell is not closed`);
          b = LF; // the last row, without a newline
        }
        let e = p;
        if (b === LF && e > s && data[e - 1] === CR) e--;
        if (b === LF && field === 0 && e === s) {
          contentEnd = -2; // blank line
          lineEnd = p;
          break;
        }
        const kind = field < count ? kinds[field]! : CellKind.None;
        if (kind !== CellKind.None) {
          if (field === tagColumn) {
            tagS = s;
            tagE = e;
          } else if (constant[field]) {
            if (this.sameAsFirst(data, field, s, e)) blanks.push(s, e);
            else kept++;
          } else {
            if (field === ridColumn) {
              ridS = s;
              ridE = e;
            }
            if (kind !== CellKind.Text || quoted || e - s <= 4 || data[s]! <= 0x20 || data[e - 1]! <= 0x20) this.check(data, field, kind, s, e);
          }
        }
        field++;
        if (b === LF) {
          lineEnd = p;
          contentEnd = e;
          break;
        }
        s = ++p;
        quoted = false;
      }
      if (lineEnd < 0) {
        this.leftover = Buffer.from(data.subarray(lineStart)); // a copy: the caller may reuse `data`
        break;
      }
      if (contentEnd === -2) {
        lineStart = lineEnd + 1;
        continue;
      }
      this.rows++;
      if (field !== count) throw new ScanRefusal(`row ${this.rows}: ${field} cells, the header has ${count}`);
      this.constantsKept += kept;

      const link = this.link(data, ridS, ridE, tagS, tagE);
      const need = contentEnd - lineStart + link.suffix.length + (link.tags?.length ?? 0) + (blanks.length >> 1) * nullToken.length;
      if (o + need > out.length) {
        const grown = Buffer.allocUnsafe(Math.max(out.length * 2, o + need));
        out.copy(grown, 0, 0, o);
        out = grown;
      }
      if (!blanks.length && !link.tags) {
        o += data.copy(out, o, lineStart, contentEnd);
      } else {
        // The row with its replaced cells (blanked constants, the normalised Tags), left to right.
        const tags = link.tags && tagS >= 0 ? link.tags : null;
        let from = lineStart;
        let tagsDone = !tags;
        for (let i = 0; i <= blanks.length; i += 2) {
          const at = i < blanks.length ? blanks[i]! : contentEnd;
          if (!tagsDone && (tagS < at || i === blanks.length)) {
            o += data.copy(out, o, from, tagS);
            o += tags!.copy(out, o);
            from = tagE;
            tagsDone = true;
          }
          if (i === blanks.length) break;
          o += data.copy(out, o, from, at);
          o += nullToken.copy(out, o);
          from = blanks[i + 1]!;
        }
        o += data.copy(out, o, from, contentEnd);
      }
      o += link.suffix.copy(out, o);
      lineStart = lineEnd + 1;
    }
    sink.out = out;
    sink.o = o;
  }

  /** The full check of one cell [s, e) (quotes included), for the cells the fast test in `scan` does not clear. */
  private check(data: Buffer, field: number, kind: number, s: number, e: number): void {
    if (e > s && data[s] === QUOTE) {
      if (e - s < 2 || data[e - 1] !== QUOTE) throw this.refuse(field, 'a partly quoted cell');
      s++;
      e--;
    }
    if (this.isNull(data, s, e)) return;
    if (e === s) throw this.refuse(field, 'an empty cell where the file writes nulls as a token');
    if (kind === CellKind.Text) {
      if (isSpace(data[s]!) || isSpace(data[e - 1]!)) throw this.refuse(field, 'untrimmed text');
      if (e - s === 3 || e - s === 4) {
        for (const token of NULL_TOKENS) {
          if (token.length !== e - s) continue;
          let same = true;
          for (let i = 0; i < token.length && same; i++) same = lower(data[s + i]!) === token[i];
          if (same) throw this.refuse(field, 'a null token other than the file’s');
        }
      }
      return;
    }
    // PostgreSQL's numeric and timestamp input skip surrounding blanks, as the row path does.
    while (e > s && isSpace(data[s]!)) s++;
    while (e > s && isSpace(data[e - 1]!)) e--;
    if (kind === CellKind.Number) {
      if (!isPlainNumber(data, s, e)) throw this.refuse(field, 'a number that is not a plain decimal');
    } else if (kind === CellKind.Date) {
      if (!isPlainDate(data, s, e) && !isUsDate(data, s, e)) throw this.refuse(field, 'a date-time that is not plain UTC ISO 8601 (a UTC offset, a zone name, sub-milliseconds…)');
    }
  }

  /**
   * Whether a `constants` cell [s, e) has the first row's bytes (the first row's own cells do: they
   * are the reference, checked like any date). A differing cell is checked too, and a null refused.
   */
  private sameAsFirst(data: Buffer, field: number, s: number, e: number): boolean {
    const first = this.firsts[field];
    if (first && first.length === e - s) {
      let same = true;
      for (let i = 0; i < first.length && same; i++) same = first[i] === data[s + i];
      if (same) return true;
    }
    this.check(data, field, CellKind.Date, s, e);
    const quoted = e - s >= 2 && data[s] === QUOTE && data[e - 1] === QUOTE;
    if (this.isNull(data, quoted ? s + 1 : s, quoted ? e - 1 : e)) throw this.refuse(field, 'a null in a column that is the same in most rows');
    if (first) return false;
    this.firsts[field] = Buffer.from(data.subarray(s, e)); // a copy: the caller may reuse `data`
    return true;
  }

  /** The first row's value of a `constants` column as COPY reads it (null before any row). */
  firstValue(field: number): string | null {
    const first = this.firsts[field];
    return first ? this.value(first, 0, first.length) : null;
  }

  /** A cell COPY reads as NULL: the file's null token (quoted too: FORCE_NULL), or empty when that is the token. */
  private isNull(data: Buffer, s: number, e: number): boolean {
    const token = this.nullToken;
    if (e - s !== token.length) return false;
    for (let i = 0; i < token.length; i++) if (data[s + i] !== token[i]) return false;
    return true;
  }

  private refuse(field: number, why: string): ScanRefusal {
    return new ScanRefusal(`row ${this.rows + 1}, column ${field + 1}: ${why} needs normalisation`);
  }

  private link(data: Buffer, ridS: number, ridE: number, tagS: number, tagE: number): LinkCells {
    const ridLength = ridS < 0 ? 0 : ridE - ridS;
    const tagLength = tagS < 0 ? 0 : tagE - tagS;
    // ResourceIds are short and differ anywhere: every byte; Tags are long JSON: every third byte.
    let h = ridS < 0 ? 0x811c9dc5 : hashBytes(data, ridS, ridE, 0x811c9dc5, 1);
    if (tagS >= 0) h = hashBytes(data, tagS, tagE, h, 3);
    const head = this.cache.get(h);
    for (let entry: CacheEntry | null = head ?? null; entry; entry = entry.next) {
      if (entry.ridLength !== ridLength || entry.key.length !== ridLength + tagLength) continue;
      const key = entry.key;
      let same = true;
      for (let i = 0; i < ridLength && same; i++) same = key[i] === data[ridS + i];
      for (let i = 0; i < tagLength && same; i++) same = key[ridLength + i] === data[tagS + i];
      if (same) return entry.cells;
    }
    const key = Buffer.allocUnsafe(ridLength + tagLength);
    if (ridLength) data.copy(key, 0, ridS, ridE);
    if (tagLength) data.copy(key, ridLength, tagS, tagE);
    const cells = this.resolve(ridS < 0 ? null : this.value(data, ridS, ridE), tagS < 0 ? null : this.value(data, tagS, tagE));
    this.cache.set(h, { key, ridLength, cells, next: head ?? null });
    return cells;
  }

  /** A cell's value as COPY reads it (UTF-8, quotes removed, "" → "), or null. */
  private value(data: Buffer, s: number, e: number): string | null {
    const quoted = e - s >= 2 && data[s] === QUOTE && data[e - 1] === QUOTE;
    const text = quoted ? data.toString('utf8', s + 1, e - 1).replaceAll('""', '"') : data.toString('utf8', s, e);
    if (text === this.nullToken.toString('utf8') || (!quoted && text === '')) return null;
    return text;
  }
}
