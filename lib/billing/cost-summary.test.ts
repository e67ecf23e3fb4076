import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/client';
import { createTestDatabase } from '../testing/db';
import { costSummary } from './cost-summary';

let db: Db;
let shop = '';

let row = 0;
async function cost(provider: string, projectId: string | null, start: string, effective: number, currency = 'USD') {
  row += 1;
  const s = new Date(start);
  await db.costRecord.create({
    data: {
      rowHash: `h${row}`, billingPeriodStart: s, billingPeriodEnd: s, chargePeriodStart: s, chargePeriodEnd: s,
      chargeCategory: 'Usage', billedCost: effective + 1, effectiveCost: effective, billingCurrency: currency, providerName: provider, projectId,
    },
  });
}

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  const owner = await db.user.create({ data: { email: 'o@t.test', name: 'O' } });
  shop = (await db.project.create({ data: { key: 'shop', name: 'Web shop', costCentre: 'C', ownerId: owner.id } })).id;
});

describe('costSummary', () => {
  it('is empty without cost rows', async () => {
    expect(await costSummary(db)).toEqual({ recordCount: 0, totals: [], byProvider: [], byProject: [], byMonth: [] });
  });

  it('totals by provider, project and month', async () => {
    await cost('AWS', shop, '2026-01-10T00:00:00Z', 10.25);
    await cost('AWS', null, '2026-01-31T23:00:00Z', 4.75);
    await cost('Google Cloud', shop, '2026-02-01T00:00:00Z', 20);
    await cost('Microsoft', shop, '2026-02-15T00:00:00Z', 7, 'EUR');

    const s = await costSummary(db);
    expect(s.recordCount).toBe(4);
    expect(s.totals).toEqual([
      { currency: 'EUR', effectiveCost: 7, billedCost: 8 },
      { currency: 'USD', effectiveCost: 35, billedCost: 38 },
    ]);
    expect(s.byProvider.map((r) => [r.label, r.effectiveCost, r.currency])).toEqual([['Google Cloud', 20, 'USD'], ['AWS', 15, 'USD'], ['Microsoft', 7, 'EUR']]);
    expect(s.byProject.map((r) => [r.label, r.effectiveCost, r.currency])).toEqual([['Web shop', 30.25, 'USD'], ['Web shop', 7, 'EUR'], ['Unallocated', 4.75, 'USD']]);
    expect(s.byMonth.map((r) => [r.key, r.label, r.effectiveCost, r.currency])).toEqual([
      ['2026-02', 'February 2026', 7, 'EUR'],
      ['2026-02', 'February 2026', 20, 'USD'],
      ['2026-01', 'January 2026', 15, 'USD'],
    ]);
  });

  it('limits to a charge-period window', async () => {
    const s = await costSummary(db, { from: new Date('2026-02-01T00:00:00Z'), to: new Date('2026-03-01T00:00:00Z') });
    expect(s.recordCount).toBe(2);
    expect(s.byMonth.map((r) => r.key)).toEqual(['2026-02', '2026-02']);
    expect(s.byProvider.map((r) => r.label)).toEqual(['Google Cloud', 'Microsoft']);
  });
});
