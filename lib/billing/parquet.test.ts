import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parquetMetadataAsync, parquetReadObjects, asyncBufferFromFile } from 'hyparquet';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, auditContext } from '../audit/record';
import type { Db } from '../db/client';
import { createTestDatabase } from '../testing/db';
import { importCostFile } from './importer';
import { writeParquet, type ParquetColumn } from './parquet-fixture';

let db: Db;
let url = '';
let dir = '';
beforeAll(async () => {
  ({ db, url } = await createTestDatabase());
  dir = await mkdtemp(path.join(tmpdir(), 'skyport-parquet-'));
});

function focusColumns(rows: number, billed: (i: number) => number): ParquetColumn[] {
  const starts = Array.from({ length: rows }, (_, i) => new Date(Date.UTC(2026, 2, 1 + (i % 28), i % 24)));
  const str = (name: string, f: (i: number) => string): ParquetColumn => ({ name, type: 'string', values: Array.from({ length: rows }, (_, i) => f(i)) });
  return [
    str('BillingAccountId', () => 'PQ-1'),
    str('BillingPeriodStart', () => '2026-03-01T00:00:00Z'),
    str('BillingPeriodEnd', () => '2026-04-01T00:00:00Z'),
    { name: 'ChargePeriodStart', type: 'timestamp-millis', values: starts },
    { name: 'ChargePeriodEnd', type: 'timestamp-millis', values: starts.map((d) => new Date(d.getTime() + 3_600_000)) },
    str('ChargeCategory', () => 'Usage'),
    { name: 'BilledCost', type: 'double', values: Array.from({ length: rows }, (_, i) => billed(i)) },
    str('EffectiveCost', (i) => (i % 2 ? '0.25' : '0.75')),
    str('BillingCurrency', () => 'USD'),
    str('ProviderName', () => 'Parquet Cloud'),
    str('Tags', (i) => JSON.stringify({ project: `p${i % 3}` })),
    str('x_Extra', () => 'kept'),
  ];
}

describe('Parquet import', () => {
  it('the hand-written fixture is valid Parquet (hyparquet reads it back)', async () => {
    const file = path.join(dir, 'check.parquet');
    await writeFile(file, writeParquet(focusColumns(5, (i) => i + 0.5), 2));
    const buffer = await asyncBufferFromFile(file);
    const metadata = await parquetMetadataAsync(buffer);
    expect(metadata.row_groups).toHaveLength(3);
    const rows = await parquetReadObjects({ file: buffer });
    expect(rows[4]).toMatchObject({ BillingAccountId: 'PQ-1', BilledCost: 4.5, x_Extra: 'kept' });
  });

  it('imports a multi-row-group FOCUS Parquet file with DOUBLE costs and timestamp columns exactly', async () => {
    const rows = 1000;
    const file = path.join(dir, 'focus.parquet');
    // Number("0.31") is the double a writer stores for 0.31; its shortest form is "0.31" again.
    await writeFile(file, writeParquet(focusColumns(rows, (i) => Number(`0.${i % 10}1`)), 128));
    const result = await importCostFile(db, url, file, { fileName: 'focus.parquet', audit: auditContext(SYSTEM_ACTOR) });
    expect(result.status, JSON.stringify(result.errors.slice(0, 3))).toBe('succeeded');
    expect(result.rowCount).toBe(rows);
    const stored = await db.costImport.findUniqueOrThrow({ where: { id: result.importId } });
    expect(stored.source).toBe('focus-parquet');
    const sums = await db.$queryRaw<{ billed: string; effective: string }[]>`
      SELECT sum("billedCost")::text AS billed, sum("effectiveCost")::text AS effective FROM "CostRecord" WHERE "importId" = ${result.importId}`;
    // DOUBLE values keep their shortest decimal form: 0.01 + 0.11 + … + 0.91 per 10 rows = 4.6 → 460 for 1000 rows.
    expect(Number(sums[0]!.billed)).toBe(460);
    expect(sums[0]!.billed.replace(/0+$/, '')).toBe('460.');
    expect(sums[0]!.effective.replace(/0+$/, '')).toBe('500.');
    const row = await db.costRecord.findFirstOrThrow({ where: { importId: result.importId, chargePeriodStart: new Date(Date.UTC(2026, 2, 2, 1)) } });
    expect(row.billedCost.toString()).toBe('0.11');
    expect(row.extra).toEqual({ x_Extra: 'kept' });
    expect(row.tags).toEqual({ project: 'p1' });
  });

  it('rejects a truncated Parquet file with a clear message', async () => {
    const file = path.join(dir, 'truncated.parquet');
    const full = writeParquet(focusColumns(10, () => 1), 5);
    await writeFile(file, Buffer.concat([full.subarray(0, 4), full.subarray(4, 40)]));
    const result = await importCostFile(db, url, file, { fileName: 'truncated.parquet', audit: auditContext(SYSTEM_ACTOR) });
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(/Parquet file is truncated or corrupt/);
  });
});
