import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../testing/db';
import { getCostBreakdown, getCostSummary } from './costs';
import { seedDemoCosts } from './demo';

describe('seedDemoCosts', () => {
  it('writes last month and this month for three clouds once, linked to the demo projects', async () => {
    const { db } = await createTestDatabase();
    const owner = await db.user.create({ data: { email: 'o@demo.test', name: 'O' } });
    const shop = await db.project.create({ data: { key: 'web-shop', name: 'Web shop', costCentre: 'CC-1', ownerId: owner.id } });
    const now = new Date('2026-05-10T08:00:00Z');
    expect(await seedDemoCosts(db, { now })).toBe(true);
    expect(await seedDemoCosts(db, { now })).toBe(false);
    const s = await getCostSummary(db, { all: true }, { start: '2026-04-01', end: '2026-05-11' }, now);
    expect(s.totals.map((t) => t.provider).sort()).toEqual(['AWS', 'Google Cloud', 'Microsoft']);
    expect(Number(s.monthToDate.effectiveCost)).toBeGreaterThan(0);
    expect(Number(s.lastMonth.effectiveCost)).toBeGreaterThan(Number(s.monthToDate.effectiveCost));
    expect(await db.costRecord.count({ where: { projectId: shop.id } })).toBeGreaterThan(0);
  });

  it('builds the tag rollup, so a breakdown by the project tag reads it and equals the raw rows', async () => {
    const { db } = await createTestDatabase();
    const now = new Date('2026-05-10T08:00:00Z');
    await seedDemoCosts(db, { now });
    const filters = { start: '2026-04-01', end: '2026-05-11' };
    const viaRollup = await getCostBreakdown(db, { all: true }, filters, { groupBy: 'tag', tagKey: 'project' });
    expect(viaRollup.source).toBe('tagRollup');
    await db.$executeRawUnsafe('DELETE FROM "CostTagRollupKey"');
    const viaRaw = await getCostBreakdown(db, { all: true }, filters, { groupBy: 'tag', tagKey: 'project' });
    expect(viaRaw.source).toBe('raw');
    expect(viaRollup.rows.map((r) => r.key).sort()).toEqual(['data-platform', 'web-shop']);
    expect(viaRollup.rows).toEqual(viaRaw.rows);
    const tags = await db.$queryRaw<{ t: string }[]>`SELECT DISTINCT jsonb_typeof("tags") AS t FROM "CostRecord"`;
    expect(tags).toEqual([{ t: 'object' }]);
    const byResource = await getCostBreakdown(db, { all: true }, { start: '2026-04-01', end: '2026-05-01' }, { groupBy: 'resource' });
    expect(byResource.source).toBe('resourceRollup');
    expect(viaRollup.total).toEqual(viaRaw.total);
  });
});
