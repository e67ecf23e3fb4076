// One source row → one CostRecord row (as COPY text fields), or the row-level errors that reject
// the file. Header matching is done once per file (RowNormaliser), not per row.
import { createHash } from 'node:crypto';
import { type AzureCostKind, isAzureNativeExport, mapAzureRow } from './azure-ea';
import { FOCUS_COLUMNS, type FocusColumn, MANDATORY_COLUMNS, focusColumnFor } from './focus-columns';
import type { Linker } from './linking';
import { FileError, type SourceRow } from './sources';
import {
  CellError,
  asText,
  isNullToken,
  normaliseChargeFrequency,
  parseChargeCategory,
  parseDateTime,
  parseDecimal,
  parseTags,
} from './values';

export interface RowError {
  row: number;
  column: string;
  value: string;
  message: string;
}

export interface ImportDefaults {
  /** Used when the file has no ProviderName / ServiceProviderName column (or the cell is empty). */
  providerName?: string;
  billingCurrency?: string;
  /** Native Azure exports only: which kind of cost the file holds. */
  azureCostKind?: AzureCostKind;
}

export interface NormalisedRow {
  billingMonth: string;
  scopeKey: string;
  providerName: string;
  billingAccountId: string | null;
  /** Fields in COPY_COLUMNS order, null = SQL NULL. */
  fields: (string | null)[];
}

export function scopeKeyFor(providerName: string, billingAccountId: string | null): string {
  return createHash('md5').update(`${providerName}\u0000${billingAccountId ?? ''}`).digest('hex').slice(0, 16);
}


const TEXT_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
/** One COPY text-format line. */
export function copyLine(fields: (string | null)[]): string {
  return `${fields.map((f) => (f === null ? '\\N' : f.replace(/[\\\n\r\t]/g, (c) => TEXT_ESCAPES[c]!))).join('\t')}\n`;
}

function parseTagsOrNull(raw: unknown): Record<string, string> | null {
  try {
    return parseTags(raw);
  } catch {
    return null;
  }
}

const truncate = (v: string) => (v.length > 200 ? `${v.slice(0, 200)}…` : v);

/** A bounded memo: exports repeat the same dates, tags and accounts on most rows. */
class Memo<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string, make: () => V): V {
    let v = this.map.get(key);
    if (v === undefined) {
      if (this.map.size >= this.max) this.map.clear();
      v = make();
      this.map.set(key, v);
    }
    return v;
  }
}

export class RowNormaliser {
  private readonly columns: { header: string; column: FocusColumn | null }[];
  private readonly azure: boolean;
  private readonly dates = new Memo<string | CellError>(20_000);
  private readonly tagCache = new Memo<Record<string, string> | null>(5_000);
  private readonly scopes = new Memo<string>(1_000);
  /** Row ids: the import's id + a sequence number — unique across imports, and no per-row crypto call. */
  private sequence = 0;

  constructor(
    headers: string[],
    private readonly importId: string,
    private readonly defaults: ImportDefaults,
    private readonly linker: Linker,
  ) {
    this.azure = isAzureNativeExport(headers);
    const effectiveHeaders = this.azure ? Object.keys(mapAzureRow(Object.fromEntries(headers.map((h) => [h, ''])), 'actual')) : headers;
    const seen = new Set<string>();
    this.columns = effectiveHeaders.map((header) => {
      const column = focusColumnFor(header) ?? null;
      if (column && seen.has(column.db)) return { header, column: null };
      if (column) seen.add(column.db);
      return { header, column };
    });
    const present = new Set(this.columns.filter((c) => c.column).map((c) => c.column!.focus));
    const missing: string[] = MANDATORY_COLUMNS.filter((m) => !present.has(m));
    if (!present.has('ProviderName') && !present.has('ServiceProviderName') && !defaults.providerName) missing.push('ProviderName');
    if (!present.has('BillingCurrency') && !defaults.billingCurrency) missing.push('BillingCurrency');
    if (missing.length) {
      throw new FileError(
        `Missing mandatory FOCUS column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}. ` +
          (missing.includes('ProviderName') || missing.includes('BillingCurrency')
            ? 'ProviderName and BillingCurrency may instead be given as import defaults.'
            : 'Headers are matched case-insensitively.'),
      );
    }
  }

  get isAzureNative(): boolean {
    return this.azure;
  }

  normalise(source: SourceRow, errors: RowError[]): NormalisedRow | null {
    const before = errors.length;
    const fail = (column: string, value: unknown, message: string) =>
      errors.push({ row: source.row, column, value: truncate(isNullToken(value) ? '' : asText(value)), message });
    if (source.fieldCountMismatch) {
      const { fields, expected } = source.fieldCountMismatch;
      fail('(row)', '', `has ${fields} fields; the header has ${expected}`);
      return null;
    }
    const values = this.azure
      ? mapAzureRow(source.values as Record<string, string>, this.defaults.azureCostKind ?? 'actual')
      : source.values;
    const typed: Record<string, string | null> = {};
    let tags: Record<string, string> = {};
    const extra: Record<string, unknown> = {};
    for (const { header, column } of this.columns) {
      const raw = values[header];
      if (!column) {
        if (!isNullToken(raw)) extra[header] = typeof raw === 'string' ? raw : asText(raw);
        continue;
      }
      if (isNullToken(raw)) {
        typed[column.db] = null;
        continue;
      }
      try {
        switch (column.type) {
          case 'string':
            typed[column.db] = asText(raw).trim();
            break;
          case 'cost':
            typed[column.db] = parseDecimal(raw);
            break;
          case 'decimal':
            try {
              typed[column.db] = parseDecimal(raw);
            } catch {
              // Junk in an optional quantity/price column (a known export quirk): keep it, raw.
              typed[column.db] = null;
              extra[`${column.focus}(invalid)`] = asText(raw);
            }
            break;
          case 'datetime': {
            const parsed =
              typeof raw === 'string'
                ? this.dates.get(raw, () => {
                    try {
                      return parseDateTime(raw).toISOString();
                    } catch (error) {
                      if (error instanceof CellError) return error;
                      throw error;
                    }
                  })
                : parseDateTime(raw).toISOString();
            if (parsed instanceof CellError) throw parsed;
            typed[column.db] = parsed;
            break;
          }
          case 'tags': {
            const parsed = typeof raw === 'string' ? this.tagCache.get(raw, () => parseTagsOrNull(raw)) : parseTagsOrNull(raw);
            if (parsed) tags = parsed;
            else extra['Tags(invalid)'] = asText(raw);
            break;
          }
        }
      } catch (error) {
        if (error instanceof CellError) fail(column.focus, raw, `${column.focus} ${error.message}`);
        else throw error;
      }
    }
    for (const m of MANDATORY_COLUMNS) {
      const db = m.charAt(0).toLowerCase() + m.slice(1);
      if (typed[db] === null && !errors.slice(before).some((e) => e.column === m)) fail(m, '', `${m} is mandatory but empty`);
    }
    if (typed.chargeCategory) {
      try {
        typed.chargeCategory = parseChargeCategory(typed.chargeCategory);
      } catch (error) {
        fail('ChargeCategory', typed.chargeCategory, `ChargeCategory ${(error as Error).message}`);
      }
    }
    if (typed.chargeFrequency) typed.chargeFrequency = normaliseChargeFrequency(typed.chargeFrequency);
    const providerName = typed.providerName ?? typed.serviceProviderName ?? this.defaults.providerName ?? null;
    if (!providerName) fail('ProviderName', '', 'ProviderName is mandatory but empty');
    const currency = (typed.billingCurrency ?? this.defaults.billingCurrency ?? '').toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) fail('BillingCurrency', typed.billingCurrency ?? '', 'BillingCurrency must be an ISO 4217 code such as USD');
    if (typed.chargePeriodStart && typed.chargePeriodEnd && typed.chargePeriodEnd < typed.chargePeriodStart) {
      fail('ChargePeriodEnd', typed.chargePeriodEnd, 'ChargePeriodEnd is before ChargePeriodStart');
    }
    if (errors.length > before) return null;

    typed.providerName = providerName;
    typed.billingCurrency = currency;
    if (typed.regionId) typed.regionId = typed.regionId.trim();
    const start = new Date(typed.billingPeriodStart!);
    const billingMonth = `${start.getUTCFullYear()}-${String(start.getUTCMonth() + 1).padStart(2, '0')}-01`;
    const billingAccountId = typed.billingAccountId ?? null;
    const scopeKey = this.scopes.get(`${providerName}\u0000${billingAccountId ?? ''}`, () => scopeKeyFor(providerName!, billingAccountId));
    const link = this.linker.link(typed.resourceId ?? null, tags);
    typed.tags = JSON.stringify(tags);
    const fields: (string | null)[] = [`${this.importId}.${(++this.sequence).toString(36)}`, billingMonth, scopeKey, this.importId];
    for (const c of FOCUS_COLUMNS) fields.push(typed[c.db] ?? null);
    fields.push(JSON.stringify(extra), link.providerAccountId, link.projectId, link.vmId);
    return { billingMonth, scopeKey, providerName: providerName!, billingAccountId, fields };
  }
}
