// Parsing of single FOCUS cell values as they appear in real exports. Each parser returns the
// normalised value or throws CellError with the reason shown to the admin.
import { CHARGE_CATEGORIES, CHARGE_FREQUENCIES } from './focus-columns';

export class CellError extends Error {}

/** Literal NULL (any case), "None", "N/A" and empty strings are all null in published exports. */
export function isNullToken(raw: unknown): boolean {
  if (raw === null || raw === undefined) return true;
  if (typeof raw !== 'string') return false;
  const t = raw.trim();
  return t === '' || /^(null|none|n\/a|nan)$/i.test(t);
}

export function asText(raw: unknown): string {
  if (raw instanceof Date) return raw.toISOString();
  if (typeof raw === 'bigint') return raw.toString();
  if (typeof raw === 'object' && raw !== null) return JSON.stringify(raw);
  return String(raw);
}

/**
 * A decimal string, exact: "1,234.50", "$10,000.00 ", "0.00 " and "1.5E-3" are accepted; the
 * result is a plain decimal string ("1234.50"). Numbers (Parquet DOUBLE) use their shortest
 * round-trip form, which is exactly what the writer stored.
 */
export function parseDecimal(raw: unknown): string {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new CellError('is not a finite number');
    raw = String(raw);
  }
  if (typeof raw === 'bigint') return raw.toString();
  let t = asText(raw).trim();
  let negative = false;
  if (/^\(.*\)$/.test(t)) {
    negative = true;
    t = t.slice(1, -1).trim();
  }
  t = t.replace(/^([-+]?)[$€£¥]\s*/, '$1');
  if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) t = t.replace(/,/g, '');
  const m = /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d{1,3}))?$/.exec(t);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new CellError('is not a number');
  const sign = (m[1] === '-') !== negative ? '-' : '';
  let int = m[2] || '0';
  let frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0);
  if (exp > 0) {
    frac = frac.padEnd(exp, '0');
    int += frac.slice(0, exp);
    frac = frac.slice(exp);
  } else if (exp < 0) {
    int = int.padStart(-exp + 1, '0');
    frac = int.slice(int.length + exp) + frac;
    int = int.slice(0, int.length + exp);
  }
  int = int.replace(/^0+(?=\d)/, '');
  if (int.length > 35) throw new CellError('is too large');
  if (frac.length > 30) {
    // numeric(65,30): more digits than that would be silently rounded by PostgreSQL.
    if (/[1-9]/.test(frac.slice(30))) throw new CellError('has more than 30 decimal places');
    frac = frac.slice(0, 30);
  }
  const body = frac ? `${int}.${frac}` : int;
  return sign && /[1-9]/.test(body) ? `-${body}` : body;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?$/i;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin: number): Date {
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMin * 60_000);
  const check = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  if (
    mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59 ||
    check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d
  ) {
    throw new CellError('is not a valid date/time');
  }
  return date;
}

/**
 * FOCUS date-times: ISO 8601 with or without T/Z ("2024-09-01 00:00:00" is UTC), a bare date, or
 * the US M/D/YY(YY) dates of spreadsheet-made exports (the spec's SaaS examples use them).
 */
export function parseDateTime(raw: unknown): Date {
  if (raw instanceof Date) {
    if (Number.isNaN(raw.getTime())) throw new CellError('is not a valid date/time');
    return raw;
  }
  const t = asText(raw).trim();
  let m = ISO.exec(t);
  if (m) {
    let offset = 0;
    const zone = m[8];
    if (zone && !/^(z|utc)$/i.test(zone)) {
      const z = zone.replace(':', '');
      offset = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
    }
    const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
    return build(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms, offset);
  }
  m = US.exec(t);
  if (m) {
    const year = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
    return build(year, Number(m[1]), Number(m[2]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), 0, 0);
  }
  throw new CellError('is not a date/time (expected ISO 8601, e.g. 2024-09-01T00:00:00Z)');
}

function canonical<T extends string>(allowed: readonly T[], raw: string): T | undefined {
  const key = raw.trim().toLowerCase();
  return allowed.find((a) => a.toLowerCase() === key);
}

export function parseChargeCategory(raw: unknown): string {
  const v = canonical(CHARGE_CATEGORIES, asText(raw));
  if (!v) throw new CellError(`is not a ChargeCategory (${CHARGE_CATEGORIES.join(', ')})`);
  return v;
}

/** "Usage-based" and "usage-based" are the same frequency; unknown values are kept as written. */
export function normaliseChargeFrequency(raw: string): string {
  return canonical(CHARGE_FREQUENCIES, raw) ?? raw.trim();
}

/** Tags: a JSON object string (keys trimmed; values as strings). Throws when not an object. */
export function parseTags(raw: unknown): Record<string, string> {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new CellError('is not a JSON object of tags');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CellError('is not a JSON object of tags');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const key = k.trim();
    if (!key) continue;
    out[key] = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}
