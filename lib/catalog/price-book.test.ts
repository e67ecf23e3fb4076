import { beforeAll, describe, expect, it } from 'vitest';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import type { Db } from '../db/client';
import { ConflictError, ValidationError } from '../errors';
import { createTestDatabase } from '../testing/db';
import { upsertInstanceTypes } from './instance-types';
import { deletePriceRule, deleteRate, exportPricesCsv, importPrices, listPriceRules, listPrices, parsePriceCsv, PriceImportError, updateRate, upsertRate, createPriceRule } from './price-book';

let db: Db;
/** A database without any price book. */
let empty: Db;
let bookId: string;
const audit = auditContext(SYSTEM_ACTOR);

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  ({ db: empty } = await createTestDatabase());
  bookId = (await db.priceBook.create({ data: { name: 'List', effectiveFrom: new Date(Date.UTC(2026, 0, 1)) } })).id;
});

const GOOD = `provider,region,sku,unit,unitPrice
aws,*,t3.medium,hour,0.0416
aws,eu-west-1,t3.medium,hour,0.0456
aws,,disk-gib,month,0.08
vsphere,*,vcpu,hour,0.012
vsphere,*,memory-gib,hour,0.004
"gcp","*","e2-medium","hour","0.0335"
`;

describe('importPrices', () => {
  it('imports a good file in one go and re-imports it as updates', async () => {
    const first = await importPrices(db, { csv: GOOD, fileName: 'prices.csv' }, audit);
    expect(first).toEqual({ priceBookId: bookId, imported: 6, created: 6, updated: 0, removed: 0 });
    const disk = await db.rate.findFirstOrThrow({ where: { sku: 'disk-gib' } });
    expect(disk).toMatchObject({ regionCode: '*', unit: 'month' });
    expect(disk.unitPrice.toFixed()).toBe('0.08');
    const again = await importPrices(db, { csv: GOOD.replace('0.0416', '0.05') }, audit);
    expect(again).toMatchObject({ imported: 6, created: 0, updated: 6 });
    expect((await db.rate.findFirstOrThrow({ where: { sku: 't3.medium', regionCode: '*' } })).unitPrice.toFixed()).toBe('0.05');
    expect(await db.auditEvent.count({ where: { action: 'price.import' } })).toBe(2);
  });

  it('with bad rows imports nothing and lists every error with row, column, value and why', async () => {
    const before = await db.rate.findMany({ orderBy: { id: 'asc' } });
    const bad = `provider,region,sku,unit,unitPrice
aws,*,t3.large,hour,0.0832
oracle,*,x,hour,1
aws,*,m5.large,day,0.096
aws,*,m5.xlarge,hour,-1
aws,*,m5.2xlarge,hour,0.1234567
aws,*,t3.large,hour,0.09
aws,*,,hour,1
`;
    let error: unknown;
    try {
      await importPrices(db, { csv: bad }, audit);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PriceImportError);
    const rows = (error as PriceImportError).rows;
    expect(rows).toEqual([
      { row: 3, column: 'provider', value: 'oracle', message: expect.stringContaining('vsphere, aws, azure, gcp') },
      { row: 4, column: 'unit', value: 'day', message: expect.stringContaining('hour, month') },
      { row: 5, column: 'unitPrice', value: '-1', message: expect.stringContaining('non-negative') },
      { row: 6, column: 'unitPrice', value: '0.1234567', message: expect.stringContaining('6 decimals') },
      { row: 7, column: 'sku', value: 't3.large', message: 'Same provider, region, sku and unit as row 2.' },
      { row: 8, column: 'sku', value: '', message: 'Required.' },
    ]);
    expect((error as ValidationError).issues[0]).toEqual({ field: 'file/3/provider', message: expect.stringContaining('Row 3, provider "oracle"') });
    expect(await db.rate.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
    expect(await db.rate.count({ where: { sku: 't3.large' } })).toBe(0);
  });

  it('reports header problems, empty files and broken CSV', () => {
    expect(parsePriceCsv('provider,sku,colour\naws,t3.medium,blue\n').errors).toEqual([
      { row: 1, column: 'colour', value: 'colour', message: expect.stringContaining('Unknown column') },
      { row: 1, column: 'unitPrice', value: '', message: 'Required column is missing from the header.' },
    ]);
    expect(parsePriceCsv('').errors[0]!.message).toContain('empty');
    expect(parsePriceCsv('provider,sku,unitPrice\n').errors[0]!.message).toContain('no rates');
    expect(parsePriceCsv('provider,sku,unitPrice\naws,"t3.medium,1\n').errors[0]).toMatchObject({ column: '(file)', message: expect.stringContaining('Not valid CSV') });
    expect(parsePriceCsv('provider,sku,unitPrice\naws,t3.medium,1,extra\n').errors[0]).toMatchObject({ row: 2, column: '#4' });
    // Aliases and a byte-order mark are accepted; region and unit default to "*" and hour.
    expect(parsePriceCsv('\ufeffProvider Kind,Instance Type,Price\nazure,Standard_B2s,0.0416\n').rates).toEqual([
      { providerKind: 'azure', regionCode: '*', sku: 'Standard_B2s', unit: 'hour', unitPrice: '0.0416' },
    ]);
  });

  it('replace mode removes the book’s rates the file lacks; without a book in effect it is a 409', async () => {
    const result = await importPrices(db, { csv: 'provider,sku,unitPrice\naws,t3.medium,0.0416\n', mode: 'replace', priceBookId: bookId }, audit);
    expect(result).toMatchObject({ imported: 1, updated: 1, removed: 5 });
    expect(await db.rate.count({ where: { priceBookId: bookId } })).toBe(1);
    await expect(importPrices(empty, { csv: GOOD }, audit)).rejects.toBeInstanceOf(ConflictError);
    await importPrices(db, { csv: GOOD }, audit);
  });
});

describe('listPrices and edits', () => {
  it('lists the book in effect with vCPU/RAM of each instance type and the monthly figure', async () => {
    await upsertInstanceTypes(db, 'aws', 'us-east-1', [{ id: 't3.medium', name: 't3.medium', vcpus: 2, memoryMiB: 4096 }]);
    const list = await listPrices(db, { provider: 'aws', sort: 'price', dir: 'desc' });
    expect(list.priceBook).toMatchObject({ id: bookId, current: true, rateCount: 6 });
    expect(list.rates.map((r) => r.sku)).toEqual(['disk-gib', 't3.medium', 't3.medium']);
    expect(list.rates[1]).toMatchObject({ regionCode: 'eu-west-1', unitPrice: '0.0456', monthly: '33.29', vcpus: 2, memoryMiB: 4096 });
    expect(list.rates[0]).toMatchObject({ unit: 'month', monthly: '0.08', vcpus: null });
    expect((await listPrices(db, { q: 'e2', pageSize: 1 })).rates.map((r) => r.sku)).toEqual(['e2-medium']);
  });

  it('edits, adds and deletes single rates with audit rows; bad prices are field errors', async () => {
    const rate = await db.rate.findFirstOrThrow({ where: { sku: 'e2-medium' } });
    expect(await updateRate(db, rate.id, { unitPrice: '0.04' }, audit)).toEqual({ id: rate.id, unitPrice: '0.04', monthly: '29.20' });
    await expect(updateRate(db, rate.id, { unitPrice: 'cheap' }, audit)).rejects.toBeInstanceOf(ValidationError);
    const added = await upsertRate(db, bookId, { providerKind: 'azure', sku: 'Standard_B2s', unitPrice: 0.0416 }, audit);
    await deleteRate(db, added.id, audit);
    expect(await db.auditEvent.count({ where: { action: { in: ['price.rate.update', 'price.rate.upsert', 'price.rate.delete'] } } })).toBe(3);
    const csv = await exportPricesCsv(db);
    expect(csv.split('\n')[0]).toBe('provider,region,sku,unit,unitPrice');
    expect(parsePriceCsv(csv).rates).toHaveLength(6);
  });

  it('manages markup/discount rules with validation', async () => {
    await expect(createPriceRule(db, { name: 'Too much', adjustment: 'discount', percent: '150' }, audit)).rejects.toBeInstanceOf(ValidationError);
    await expect(createPriceRule(db, { name: 'Ghost', adjustment: 'markup', percent: '5', projectId: 'nope' }, audit)).rejects.toBeInstanceOf(ValidationError);
    const rule = await createPriceRule(db, { name: 'AWS support', adjustment: 'markup', percent: '7.5', providerKind: 'aws' }, audit);
    expect(rule).toMatchObject({ percent: '7.5', providerKind: 'aws', projectId: null, enabled: true });
    expect((await listPriceRules(db)).map((r) => r.name)).toEqual(['AWS support']);
    await deletePriceRule(db, rule.id, audit);
    expect(await listPriceRules(db)).toEqual([]);
  });
});
