// The price book (admin): list rates with filters/sort/paging, edit one rate, import a CSV
// (all-or-nothing: every row is checked first, errors name row, column, value and why; then one
// transaction writes them all), and the markup/discount rules. Money stays decimal end to end.
import { parse } from 'csv-parse/sync';
import { Prisma } from '@/generated/prisma/client';
import { ProviderKind, RateUnit } from '@/generated/prisma/enums';
import { recordAudit, type AuditContext } from '../audit/record';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { parseInput } from '../validation/input';
import { instanceTypeKey, resolveInstanceTypes } from './instance-types';
import { currentPriceBookId, HOURS_PER_MONTH, priceBookHeader } from './pricing';
import {
  listPricesQuerySchema,
  priceRuleInputSchema,
  rateInputSchema,
  updatePriceRuleSchema,
  updateRateSchema,
  type ImportResult,
  type ImportRowError,
  type PriceList,
  type PriceRuleView,
  type RateInput,
  type RateView,
} from './schemas';
import { inTransaction, type Tx } from './templates';

const PROVIDER_ORDER: readonly ProviderKind[] = ['vsphere', 'aws', 'azure', 'gcp'];

function monthlyOf(unitPrice: Prisma.Decimal, unit: RateUnit): string {
  return (unit === 'hour' ? unitPrice.mul(HOURS_PER_MONTH) : unitPrice).toDecimalPlaces(2, Prisma.Decimal.ROUND_HALF_UP).toFixed(2);
}

/** A decimal as stored (6 places) without trailing zeros: "0.041600" → "0.0416". */
export function plainDecimal(value: Prisma.Decimal): string {
  return value.toFixed();
}

async function bookSummaries(db: Tx, at?: Date) {
  const [books, current] = await Promise.all([
    db.priceBook.findMany({ orderBy: [{ effectiveFrom: 'desc' }, { createdAt: 'desc' }], include: { _count: { select: { rates: true } } }, take: 100 }),
    currentPriceBookId(db, at),
  ]);
  return books.map((b) => ({
    ...priceBookHeader(b, current?.id),
    rateCount: b._count.rates,
  }));
}

export async function listPrices(db: Tx, rawQuery: Record<string, unknown> = {}, options: { at?: Date } = {}): Promise<PriceList> {
  const query = parseInput(listPricesQuerySchema, rawQuery, 'query');
  const books = await bookSummaries(db, options.at);
  const book = query.priceBookId ? books.find((b) => b.id === query.priceBookId) : (books.find((b) => b.current) ?? books[0]);
  if (query.priceBookId && !book) throw new NotFoundError('Price book');
  if (!book) return { priceBook: null, priceBooks: books, rates: [], total: 0, page: query.page, pageSize: query.pageSize };
  const where: Prisma.RateWhereInput = {
    priceBookId: book.id,
    ...(query.provider ? { providerKind: query.provider } : {}),
    ...(query.region ? { regionCode: query.region } : {}),
    ...(query.q ? { sku: { contains: query.q, mode: 'insensitive' } } : {}),
  };
  const orderBy: Prisma.RateOrderByWithRelationInput[] =
    query.sort === 'price'
      ? [{ unitPrice: query.dir }]
      : query.sort === 'sku'
        ? [{ sku: query.dir }]
        : query.sort === 'region'
          ? [{ regionCode: query.dir }]
          : [{ providerKind: query.dir }, { sku: 'asc' }];
  const [rows, total] = await Promise.all([
    db.rate.findMany({ where, orderBy: [...orderBy, { regionCode: 'asc' }, { unit: 'asc' }, { id: 'asc' }], skip: (query.page - 1) * query.pageSize, take: query.pageSize }),
    db.rate.count({ where }),
  ]);
  const shapes = await resolveInstanceTypes(db, rows.map((r) => ({ providerKind: r.providerKind, instanceType: r.sku })));
  return {
    priceBook: book,
    priceBooks: books,
    rates: rows.map((r): RateView => {
      const shape = shapes.get(instanceTypeKey(r.providerKind, r.sku));
      return {
        id: r.id,
        priceBookId: r.priceBookId,
        providerKind: r.providerKind,
        regionCode: r.regionCode,
        sku: r.sku,
        unit: r.unit,
        unitPrice: plainDecimal(r.unitPrice),
        vcpus: shape?.vcpus ?? null,
        memoryMiB: shape?.memoryMiB ?? null,
        monthly: monthlyOf(r.unitPrice, r.unit),
      };
    }),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

export async function updateRate(db: Tx, rateId: string, input: unknown, audit: AuditContext) {
  const { unitPrice } = parseInput(updateRateSchema, input);
  return inTransaction(db, async (tx) => {
    const before = await tx.rate.findUnique({ where: { id: rateId } });
    if (!before) throw new NotFoundError('Rate');
    const after = await tx.rate.update({ where: { id: rateId }, data: { unitPrice } });
    await recordAudit(tx, audit, {
      action: 'price.rate.update',
      targetType: 'rate',
      targetId: rateId,
      before: { sku: before.sku, unitPrice: plainDecimal(before.unitPrice) },
      after: { sku: after.sku, unitPrice: plainDecimal(after.unitPrice) },
    });
    return { id: after.id, unitPrice: plainDecimal(after.unitPrice), monthly: monthlyOf(after.unitPrice, after.unit) };
  });
}

/** Adds one rate (or changes the price of the same provider/region/sku/unit) in a book. */
export async function upsertRate(db: Tx, priceBookId: string, input: unknown, audit: AuditContext) {
  const rate = parseInput(rateInputSchema, input);
  return inTransaction(db, async (tx) => {
    if (!(await tx.priceBook.findUnique({ where: { id: priceBookId }, select: { id: true } }))) throw new NotFoundError('Price book');
    const key = { priceBookId, providerKind: rate.providerKind, regionCode: rate.regionCode, sku: rate.sku, unit: rate.unit };
    const saved = await tx.rate.upsert({ where: { priceBookId_providerKind_regionCode_sku_unit: key }, create: { ...key, unitPrice: rate.unitPrice }, update: { unitPrice: rate.unitPrice } });
    await recordAudit(tx, audit, { action: 'price.rate.upsert', targetType: 'rate', targetId: saved.id, after: { ...key, unitPrice: rate.unitPrice } });
    return { id: saved.id };
  });
}

export async function deleteRate(db: Tx, rateId: string, audit: AuditContext): Promise<void> {
  await inTransaction(db, async (tx) => {
    const before = await tx.rate.findUnique({ where: { id: rateId } });
    if (!before) throw new NotFoundError('Rate');
    await tx.rate.delete({ where: { id: rateId } });
    await recordAudit(tx, audit, { action: 'price.rate.delete', targetType: 'rate', targetId: rateId, before: { sku: before.sku, providerKind: before.providerKind, regionCode: before.regionCode, unitPrice: plainDecimal(before.unitPrice) } });
  });
}

// ───────────── CSV import ─────────────

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 50_000;
/** Column name in the file (lower-cased, spaces/underscores removed) → field. */
const COLUMN_ALIASES: Record<string, keyof RateInput> = {
  provider: 'providerKind',
  providerkind: 'providerKind',
  region: 'regionCode',
  regioncode: 'regionCode',
  sku: 'sku',
  instancetype: 'sku',
  unit: 'unit',
  unitprice: 'unitPrice',
  price: 'unitPrice',
};
const REQUIRED_COLUMNS: (keyof RateInput)[] = ['providerKind', 'sku', 'unitPrice'];
const COLUMN_LABEL: Record<keyof RateInput, string> = { providerKind: 'provider', regionCode: 'region', sku: 'sku', unit: 'unit', unitPrice: 'unitPrice' };

/** The import failed; nothing was written. `rows` lists every problem found. */
export class PriceImportError extends ValidationError {
  constructor(readonly rows: ImportRowError[]) {
    super(
      rows.slice(0, 200).map((r) => ({ field: `file/${r.row}/${r.column}`, message: `Row ${r.row}, ${r.column}${r.value ? ` "${r.value}"` : ''}: ${r.message}` })),
      `The file has ${rows.length} error${rows.length === 1 ? '' : 's'}; nothing was imported.`,
    );
  }
}

const FIELD_SCHEMAS = {
  providerKind: rateInputSchema.shape.providerKind,
  regionCode: rateInputSchema.shape.regionCode,
  sku: rateInputSchema.shape.sku,
  unit: rateInputSchema.shape.unit,
  unitPrice: rateInputSchema.shape.unitPrice,
};

const FIELD_HELP: Record<keyof RateInput, string> = {
  providerKind: `Must be one of ${Object.values(ProviderKind).join(', ')}.`,
  regionCode: 'A region code or "*" for every region.',
  sku: 'An instance type, or vcpu / memory-gib / disk-gib.',
  unit: `Must be one of ${Object.values(RateUnit).join(', ')}.`,
  unitPrice: 'A non-negative decimal with at most 6 decimals, e.g. 0.0416.',
};

/** Parses and checks a whole file; returns the rates, or every row error (never a partial result). */
export function parsePriceCsv(text: string): { rates: RateInput[]; errors: ImportRowError[] } {
  const errors: ImportRowError[] = [];
  if (text.length > MAX_IMPORT_BYTES) return { rates: [], errors: [{ row: 0, column: '(file)', value: '', message: `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB.` }] };
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, skip_empty_lines: true, relax_column_count: true, bom: true, trim: true, max_record_size: 10_000 }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0;
    return { rates: [], errors: [{ row: line, column: '(file)', value: '', message: `Not valid CSV: ${(error as Error).message}` }] };
  }
  if (records.length === 0) return { rates: [], errors: [{ row: 1, column: '(file)', value: '', message: 'The file is empty; expected a header row: provider,region,sku,unit,unitPrice.' }] };
  const [header, ...rows] = records;
  const columns = header!.record.map((name) => COLUMN_ALIASES[name.toLowerCase().replace(/[\s_-]/g, '')] ?? null);
  header!.record.forEach((name, i) => {
    if (columns[i] === null) errors.push({ row: 1, column: name || `#${i + 1}`, value: name, message: 'Unknown column; use provider, region, sku, unit, unitPrice.' });
  });
  for (const required of REQUIRED_COLUMNS) {
    if (!columns.includes(required)) errors.push({ row: 1, column: COLUMN_LABEL[required], value: '', message: 'Required column is missing from the header.' });
  }
  if (errors.length) return { rates: [], errors };
  if (rows.length > MAX_IMPORT_ROWS) return { rates: [], errors: [{ row: 0, column: '(file)', value: '', message: `At most ${MAX_IMPORT_ROWS} rows per file.` }] };

  const rates: RateInput[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of rows) {
    const row = info.lines;
    const raw: Partial<Record<keyof RateInput, string>> = {};
    columns.forEach((field, i) => {
      if (field) raw[field] = record[i] ?? '';
    });
    if (record.length > columns.length) errors.push({ row, column: `#${columns.length + 1}`, value: record[columns.length] ?? '', message: `More values than the header's ${columns.length} columns.` });
    const out: Partial<RateInput> = {};
    let ok = true;
    for (const field of Object.keys(FIELD_SCHEMAS) as (keyof RateInput)[]) {
      const value = raw[field];
      const input = value === undefined || (value === '' && (field === 'regionCode' || field === 'unit')) ? undefined : value;
      const parsed = FIELD_SCHEMAS[field].safeParse(input);
      if (!parsed.success) {
        ok = false;
        errors.push({ row, column: COLUMN_LABEL[field], value: (value ?? '').slice(0, 100), message: value === undefined || value === '' ? 'Required.' : FIELD_HELP[field] });
      } else Object.assign(out, { [field]: parsed.data });
    }
    if (!ok) continue;
    const rate = out as RateInput;
    const key = `${rate.providerKind}|${rate.regionCode}|${rate.sku}|${rate.unit}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ row, column: 'sku', value: rate.sku, message: `Same provider, region, sku and unit as row ${first}.` });
      continue;
    }
    seen.set(key, row);
    rates.push(rate);
  }
  if (errors.length === 0 && rates.length === 0) errors.push({ row: 1, column: '(file)', value: '', message: 'The file has a header but no rates.' });
  return { rates: errors.length ? [] : rates, errors };
}

/**
 * Imports a CSV into a price book (default: the one in effect). All rows are checked before
 * anything is written; any error → PriceImportError listing them all and nothing imported. Then
 * one transaction upserts every rate ("replace" also deletes the book's rates the file lacks).
 */
export async function importPrices(
  db: Tx,
  input: { csv: string; priceBookId?: string; mode?: 'merge' | 'replace'; fileName?: string },
  audit: AuditContext,
): Promise<ImportResult> {
  const { rates, errors } = parsePriceCsv(input.csv);
  if (errors.length) throw new PriceImportError(errors);
  return inTransaction(db, async (tx) => {
    const book = input.priceBookId
      ? await tx.priceBook.findUnique({ where: { id: input.priceBookId }, select: { id: true } })
      : await currentPriceBookId(tx);
    if (!book) throw input.priceBookId ? new NotFoundError('Price book') : new ConflictError('No price book is in effect; create one or name one with priceBookId.');
    const existing = await tx.rate.findMany({ where: { priceBookId: book.id }, select: { id: true, providerKind: true, regionCode: true, sku: true, unit: true } });
    const existingKeys = new Map(existing.map((r) => [`${r.providerKind}|${r.regionCode}|${r.sku}|${r.unit}`, r.id]));
    const fileKeys = new Set(rates.map((r) => `${r.providerKind}|${r.regionCode}|${r.sku}|${r.unit}`));
    // One statement for the whole file: INSERT … ON CONFLICT DO UPDATE over unnest'ed arrays.
    await tx.$executeRaw`
      INSERT INTO "Rate" (id, "priceBookId", "providerKind", "regionCode", sku, unit, "unitPrice")
      SELECT gen_random_uuid()::text, ${book.id}, k::"ProviderKind", r, s, u::"RateUnit", p::numeric
      FROM unnest(${rates.map((r) => r.providerKind)}::text[], ${rates.map((r) => r.regionCode)}::text[], ${rates.map((r) => r.sku)}::text[],
                  ${rates.map((r) => r.unit)}::text[], ${rates.map((r) => r.unitPrice)}::text[]) AS f(k, r, s, u, p)
      ON CONFLICT ("priceBookId", "providerKind", "regionCode", sku, unit) DO UPDATE SET "unitPrice" = EXCLUDED."unitPrice"`;
    let removed = 0;
    if (input.mode === 'replace') {
      const stale = [...existingKeys.entries()].filter(([key]) => !fileKeys.has(key)).map(([, id]) => id);
      if (stale.length) removed = (await tx.rate.deleteMany({ where: { id: { in: stale } } })).count;
    }
    const updated = rates.filter((r) => existingKeys.has(`${r.providerKind}|${r.regionCode}|${r.sku}|${r.unit}`)).length;
    const result = { priceBookId: book.id, imported: rates.length, created: rates.length - updated, updated, removed };
    await recordAudit(tx, audit, { action: 'price.import', targetType: 'price_book', targetId: book.id, after: { ...result, fileName: input.fileName ?? null, mode: input.mode ?? 'merge' } });
    return result;
  });
}

/** The current book's rates as CSV in the import format (round-trips through importPrices). */
export async function exportPricesCsv(db: Tx, priceBookId?: string): Promise<string> {
  const book = priceBookId ? { id: priceBookId } : await currentPriceBookId(db);
  if (!book) return 'provider,region,sku,unit,unitPrice\n';
  const rows = await db.rate.findMany({ where: { priceBookId: book.id }, orderBy: [{ providerKind: 'asc' }, { sku: 'asc' }, { regionCode: 'asc' }] });
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return ['provider,region,sku,unit,unitPrice', ...rows.map((r) => [r.providerKind, r.regionCode, r.sku, r.unit, plainDecimal(r.unitPrice)].map(quote).join(','))].join('\n') + '\n';
}

// ───────────── markup / discount rules ─────────────

type RuleRow = Prisma.PriceRuleGetPayload<{ include: { project: { select: { name: true } } } }>;

function toRuleView(r: RuleRow): PriceRuleView {
  return {
    id: r.id,
    name: r.name,
    adjustment: r.adjustment,
    percent: plainDecimal(r.percent),
    providerKind: r.providerKind,
    projectId: r.projectId,
    projectName: r.project?.name ?? null,
    enabled: r.enabled,
    updatedAt: r.updatedAt.toISOString(),
  };
}

export async function listPriceRules(db: Tx): Promise<PriceRuleView[]> {
  const rows = await db.priceRule.findMany({ include: { project: { select: { name: true } } }, orderBy: [{ createdAt: 'asc' }], take: 500 });
  return rows
    .map(toRuleView)
    .sort((a, b) => PROVIDER_ORDER.indexOf(a.providerKind ?? 'vsphere') - PROVIDER_ORDER.indexOf(b.providerKind ?? 'vsphere') || a.name.localeCompare(b.name));
}

async function assertProjectExists(tx: Prisma.TransactionClient, projectId: string | null | undefined) {
  if (projectId && !(await tx.project.findUnique({ where: { id: projectId }, select: { id: true } }))) {
    throw new ValidationError([{ field: 'body/projectId', message: `No project with id ${projectId}.` }]);
  }
}

export async function createPriceRule(db: Tx, input: unknown, audit: AuditContext): Promise<PriceRuleView> {
  const rule = parseInput(priceRuleInputSchema, input);
  return inTransaction(db, async (tx) => {
    await assertProjectExists(tx, rule.projectId);
    const saved = await tx.priceRule.create({ data: rule, include: { project: { select: { name: true } } } });
    await recordAudit(tx, audit, { action: 'price.rule.create', targetType: 'price_rule', targetId: saved.id, after: rule });
    return toRuleView(saved);
  });
}

export async function updatePriceRule(db: Tx, ruleId: string, input: unknown, audit: AuditContext): Promise<PriceRuleView> {
  const patch = parseInput(updatePriceRuleSchema, input);
  return inTransaction(db, async (tx) => {
    const before = await tx.priceRule.findUnique({ where: { id: ruleId } });
    if (!before) throw new NotFoundError('Price rule');
    const adjustment = patch.adjustment ?? before.adjustment;
    const percent = patch.percent ?? plainDecimal(before.percent);
    if (adjustment === 'discount' && Number(percent) > 100) throw new ValidationError([{ field: 'body/percent', message: 'A discount is at most 100 %.' }]);
    await assertProjectExists(tx, patch.projectId);
    const saved = await tx.priceRule.update({ where: { id: ruleId }, data: patch, include: { project: { select: { name: true } } } });
    await recordAudit(tx, audit, { action: 'price.rule.update', targetType: 'price_rule', targetId: ruleId, before: toRuleView({ ...before, project: null }), after: patch });
    return toRuleView(saved);
  });
}

export async function deletePriceRule(db: Tx, ruleId: string, audit: AuditContext): Promise<void> {
  await inTransaction(db, async (tx) => {
    const before = await tx.priceRule.findUnique({ where: { id: ruleId } });
    if (!before) throw new NotFoundError('Price rule');
    await tx.priceRule.delete({ where: { id: ruleId } });
    await recordAudit(tx, audit, { action: 'price.rule.delete', targetType: 'price_rule', targetId: ruleId, before: { name: before.name, adjustment: before.adjustment, percent: plainDecimal(before.percent) } });
  });
}

/** The book new rates go to when none is named: the one in effect (409 when there is none). */
export async function requireCurrentPriceBookId(db: Tx): Promise<string> {
  const book = await currentPriceBookId(db);
  if (!book) throw new ConflictError('No price book is in effect; name one with priceBookId.');
  return book.id;
}

/** The uploaded CSV from a multipart form's `file` field (a file, or pasted text). */
export async function csvFromForm(form: FormData | undefined): Promise<{ text: string; name: string | undefined }> {
  const file = form?.get('file');
  if (file === null || file === undefined || file === '') throw new ValidationError([{ field: 'body/file', message: 'Attach the CSV file as the form field "file".' }]);
  if (typeof file === 'string') return { text: file, name: undefined };
  if (file.size > MAX_IMPORT_BYTES) throw new ValidationError([{ field: 'body/file', message: `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB.` }]);
  return { text: await file.text(), name: file.name.slice(0, 200) || undefined };
}
