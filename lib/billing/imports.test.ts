import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../testing/db';
import { failStaleImports, getCostImport } from './imports';

describe('failStaleImports', () => {
  it('fails imports interrupted hours ago and drops their staging tables; recent ones are left alone', async () => {
    const { db } = await createTestDatabase();
    const old = await db.costImport.create({ data: { source: 'focus', fileName: 'old.csv', status: 'running', createdAt: new Date('2026-01-01T00:00:00Z') } });
    const fresh = await db.costImport.create({ data: { source: 'focus', fileName: 'new.csv', status: 'running', createdAt: new Date('2026-01-01T11:30:00Z') } });
    await db.$executeRawUnsafe(`CREATE TABLE "CostRecord_stage_${old.id}" (LIKE "CostRecord" INCLUDING DEFAULTS)`);
    expect(await failStaleImports(db, 6 * 3_600_000, new Date('2026-01-01T12:00:00Z'))).toBe(1);
    expect(await getCostImport(db, old.id)).toMatchObject({ status: 'failed', message: expect.stringMatching(/interrupted/) });
    expect((await getCostImport(db, fresh.id)).status).toBe('running');
    const left = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_class WHERE relname = ${`CostRecord_stage_${old.id}`}`;
    expect(Number(left[0]!.n)).toBe(0);
  });
});
