import { beforeAll, describe, expect, it } from 'vitest';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import type { Db } from '../db/client';
import { seedDemoData } from '../demo/seed';
import { createTestDatabase } from '../testing/db';
import { currentPriceBook, listCatalog, listPriceBooks, monthlyPrice, type PriceRate } from './listing';
import { createPriceRule } from './price-book';
import { createTemplate, updateTemplate } from './templates';

const rates: PriceRate[] = [
  { providerKind: 'aws', regionCode: '*', sku: 't3.medium', unit: 'hour', unitPrice: 0.0416 },
  { providerKind: 'aws', regionCode: 'eu-west-1', sku: 't3.medium', unit: 'hour', unitPrice: 0.0456 },
  { providerKind: 'azure', regionCode: '*', sku: 'Reserved_X', unit: 'month', unitPrice: 55.5 },
  { providerKind: 'vsphere', regionCode: '*', sku: 'vcpu', unit: 'hour', unitPrice: 0.012 },
  { providerKind: 'vsphere', regionCode: '*', sku: 'memory-gib', unit: 'hour', unitPrice: 0.004 },
  { providerKind: 'vsphere', regionCode: '*', sku: 'disk-gib', unit: 'month', unitPrice: 0.08 },
];
const spec = { vcpus: 2, memoryMiB: 4096, diskGiB: 40 };
const audit = auditContext(SYSTEM_ACTOR);
const at = new Date(Date.UTC(2026, 5, 1));

describe('monthlyPrice (kept for callers of the number-based helper)', () => {
  it('prices cloud sizes as hourly × 730, preferring the region’s own rate, and vSphere from chargeback', () => {
    expect(monthlyPrice(rates, 'aws', 't3.medium', spec, 'us-east-1')).toBe(30.37);
    expect(monthlyPrice(rates, 'aws', 't3.medium', spec, 'eu-west-1')).toBe(33.29);
    expect(monthlyPrice(rates, 'azure', 'Reserved_X', spec)).toBe(55.5);
    expect(monthlyPrice(rates, 'gcp', 'e2-medium', spec)).toBeNull();
    expect(monthlyPrice(rates, 'vsphere', 'medium', spec)).toBe(32.4);
  });
});

describe('listCatalog', () => {
  let db: Db;
  beforeAll(async () => {
    ({ db } = await createTestDatabase());
  });

  it('returns nothing without templates or price book', async () => {
    expect(await listCatalog(db)).toEqual([]);
    expect(await currentPriceBook(db)).toBeNull();
    expect(await listPriceBooks(db)).toEqual([]);
  });

  it('lists the demo templates at their current version with sizes, per-provider prices incl. disk, and a "from" price', async () => {
    await seedDemoData(db, { password: 'skyport-demo' });
    const entries = await listCatalog(db, { at });
    expect(entries.map((e) => e.slug).sort()).toEqual(['database-large', 'linux-app-medium', 'linux-web-small', 'windows-server-small']);
    const web = entries.find((e) => e.slug === 'linux-web-small')!;
    expect(web.sizes.map((s) => s.name)).toEqual(['small', 'medium', 'large']);
    expect(web.providers.map((p) => p.providerKind)).toEqual(['vsphere', 'aws', 'azure', 'gcp']);
    const byKind = Object.fromEntries(web.providers.map((p) => [p.providerKind, p]));
    // AWS t3.medium: 0.0416 × 730 = 30.37 + 40 GiB × 0.08 = 3.20
    expect(byKind.aws).toMatchObject({ size: 't3.medium', monthlyPrice: 33.57, regionCodes: ['*'] });
    // GCP e2-medium: 0.0335 × 730 = 24.455 → 24.46 + 40 × 0.10
    expect(byKind.gcp!.monthlyPrice).toBe(28.46);
    // vSphere chargeback: (2 × 0.012 + 4 × 0.004) × 730 + 40 × 0.08
    expect(byKind.vsphere!.monthlyPrice).toBe(32.4);
    expect(web.fromMonthlyPrice).toBe(28.46);
    expect(web).toMatchObject({ vcpus: 2, memoryMiB: 4096, diskGiB: 40, defaultLeaseDays: 90, maxLeaseDays: 365, currency: 'USD', version: 1 });
    // "large" (4 vCPU, 16 GiB, 80 GiB) is cheapest on Azure D4s_v5: 0.192 × 730 = 140.16 + 80 × 0.075
    expect(web.sizes[2]!.fromMonthlyPrice).toBe(146.16);
  });

  it('hides archived templates, follows the current version, and applies the project’s price rules', async () => {
    const t = await createTemplate(db, {
      slug: 'restricted', name: 'Restricted', os: 'Linux', sizes: [{ name: 'one', vcpus: 2, memoryMiB: 4096, diskGiB: 10 }],
      mappings: [{ providerKind: 'aws', instanceTypes: { one: 't3.medium' }, image: 'ami' }],
    }, audit);
    const owner = await db.user.findFirstOrThrow();
    const project = await db.project.create({ data: { key: 'only', name: 'Only', costCentre: 'C', ownerId: owner.id } });
    await updateTemplate(db, t.id, { allowedProjectIds: [project.id], name: 'Restricted v2' }, audit);
    expect((await listCatalog(db, { at })).find((e) => e.slug === 'restricted')).toMatchObject({ name: 'Restricted v2', version: 2 });
    expect((await listCatalog(db, { at, projectIds: ['other'] })).some((e) => e.slug === 'restricted')).toBe(false);
    expect((await listCatalog(db, { at, projectIds: [project.id] })).some((e) => e.slug === 'restricted')).toBe(true);
    await createPriceRule(db, { name: 'Discount', adjustment: 'discount', percent: '50', projectId: project.id }, audit);
    // 30.368 + 0.8 = 31.168 → halves: 15.18 + 0.40
    expect((await listCatalog(db, { at, projectId: project.id })).find((e) => e.slug === 'restricted')!.fromMonthlyPrice).toBe(15.58);
    await updateTemplate(db, t.id, { archived: true }, audit);
    expect((await listCatalog(db, { at })).some((e) => e.slug === 'restricted')).toBe(false);
  });

  it('picks the price book in effect and lists all books with sorted rates', async () => {
    await db.priceBook.create({
      data: { name: 'Next year', effectiveFrom: new Date(Date.UTC(2030, 0, 1)), rates: { create: [{ providerKind: 'aws', sku: 't3.medium', unitPrice: 1 }] } },
    });
    expect((await currentPriceBook(db, at))?.name).toBe('List prices (demo)');
    expect((await currentPriceBook(db, new Date(Date.UTC(2030, 1, 1))))?.name).toBe('Next year');
    const books = await listPriceBooks(db, { at });
    expect(books.map((b) => [b.name, b.current])).toEqual([['Next year', false], ['List prices (demo)', true]]);
    const demo = books[1]!;
    expect(demo.effectiveFrom).toBe('2026-01-01');
    expect(demo.rates[0]!.providerKind).toBe('vsphere');
    expect(demo.rates.find((r) => r.providerKind === 'vsphere' && r.sku === 'disk-gib')).toMatchObject({ unit: 'month', unitPrice: 0.08 });
  });
});
