import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/client';
import { seedDemoData } from '../demo/seed';
import { createTestDatabase } from '../testing/db';
import { currentPriceBook, listCatalog, listPriceBooks, monthlyPrice, type PriceRate } from './listing';

const rates: PriceRate[] = [
  { providerKind: 'aws', regionCode: '*', sku: 't3.medium', unit: 'hour', unitPrice: 0.0416 },
  { providerKind: 'aws', regionCode: 'eu-west-1', sku: 't3.medium', unit: 'hour', unitPrice: 0.0456 },
  { providerKind: 'azure', regionCode: '*', sku: 'Reserved_X', unit: 'month', unitPrice: 55.5 },
  { providerKind: 'vsphere', regionCode: '*', sku: 'vcpu', unit: 'hour', unitPrice: 0.012 },
  { providerKind: 'vsphere', regionCode: '*', sku: 'memory-gib', unit: 'hour', unitPrice: 0.004 },
  { providerKind: 'vsphere', regionCode: '*', sku: 'disk-gib', unit: 'month', unitPrice: 0.08 },
];
const spec = { vcpus: 2, memoryMiB: 4096, diskGiB: 40 };

describe('monthlyPrice', () => {
  it('prices cloud sizes as hourly × 730, preferring the region’s own rate', () => {
    expect(monthlyPrice(rates, 'aws', 't3.medium', spec, 'us-east-1')).toBe(30.37);
    expect(monthlyPrice(rates, 'aws', 't3.medium', spec, 'eu-west-1')).toBe(33.29);
    // Without a region: the cheapest rate ("from" price).
    expect(monthlyPrice(rates, 'aws', 't3.medium', spec)).toBe(30.37);
  });

  it('uses a monthly rate as is and returns null for unpriced sizes', () => {
    expect(monthlyPrice(rates, 'azure', 'Reserved_X', spec)).toBe(55.5);
    expect(monthlyPrice(rates, 'gcp', 'e2-medium', spec)).toBeNull();
  });

  it('prices vSphere from chargeback per vCPU-hour, GiB-hour and disk GiB-month', () => {
    // (2 × 0.012 + 4 × 0.004) × 730 + 40 × 0.08 = 29.2 + 3.2
    expect(monthlyPrice(rates, 'vsphere', 'medium', spec)).toBe(32.4);
    expect(monthlyPrice(rates.filter((r) => r.sku !== 'vcpu'), 'vsphere', 'medium', spec)).toBeNull();
  });
});

describe('catalog queries', () => {
  let db: Db;
  beforeAll(async () => {
    ({ db } = await createTestDatabase());
  });

  it('returns nothing without templates or price book', async () => {
    expect(await listCatalog(db)).toEqual([]);
    expect(await currentPriceBook(db)).toBeNull();
    expect(await listPriceBooks(db)).toEqual([]);
  });

  it('lists active templates with per-provider availability and a "from" price', async () => {
    await seedDemoData(db, { password: 'skyport-demo' });
    const hidden = await db.catalogTemplate.create({ data: { slug: 'retired', name: 'Retired', os: 'x', vcpus: 1, memoryMiB: 1024, diskGiB: 10, active: false } });
    const entries = await listCatalog(db, { at: new Date(Date.UTC(2026, 5, 1)) });
    expect(entries.map((e) => e.slug)).not.toContain(hidden.slug);
    const small = entries.find((e) => e.slug === 'linux-web-small')!;
    expect(small.providers.map((p) => p.providerKind)).toEqual(['vsphere', 'aws', 'azure', 'gcp']);
    const byKind = Object.fromEntries(small.providers.map((p) => [p.providerKind, p]));
    expect(byKind.aws).toMatchObject({ size: 't3.medium', monthlyPrice: 30.37, regionCodes: ['*'] });
    expect(byKind.gcp!.monthlyPrice).toBe(24.46); // 0.0335 × 730
    expect(byKind.vsphere!.monthlyPrice).toBe(32.4);
    expect(small.fromMonthlyPrice).toBe(24.46);
    expect(small.currency).toBe('USD');
  });

  it('shows a template without mappings and unpriced providers honestly', async () => {
    const t = await db.catalogTemplate.create({ data: { slug: 'bare', name: 'Bare', os: 'Linux', vcpus: 1, memoryMiB: 1024, diskGiB: 10 } });
    await db.templateMapping.create({ data: { templateId: t.id, providerKind: 'gcp', regionCode: 'europe-west1', size: 'unknown-size', image: 'x' } });
    const bare = (await listCatalog(db, { at: new Date(Date.UTC(2026, 5, 1)) })).find((e) => e.slug === 'bare')!;
    expect(bare.providers).toEqual([{ providerKind: 'gcp', label: 'Google Cloud', regionCodes: ['europe-west1'], size: 'unknown-size', monthlyPrice: null }]);
    expect(bare.fromMonthlyPrice).toBeNull();
  });

  it('picks the price book in effect and lists all books with sorted rates', async () => {
    await db.priceBook.create({
      data: { name: 'Next year', effectiveFrom: new Date(Date.UTC(2030, 0, 1)), rates: { create: [{ providerKind: 'aws', sku: 't3.medium', unitPrice: 1 }] } },
    });
    const at = new Date(Date.UTC(2026, 5, 1));
    expect((await currentPriceBook(db, at))?.name).toBe('List prices (demo)');
    expect((await currentPriceBook(db, new Date(Date.UTC(2030, 1, 1))))?.name).toBe('Next year');
    const books = await listPriceBooks(db, { at });
    expect(books.map((b) => [b.name, b.current])).toEqual([['Next year', false], ['List prices (demo)', true]]);
    const demo = books[1]!;
    expect(demo.effectiveFrom).toBe('2026-01-01');
    expect(demo.rates[0]!.providerKind).toBe('vsphere');
    expect(demo.rates.find((r) => r.sku === 'disk-gib')).toMatchObject({ unit: 'month', unitPrice: 0.08 });
  });
});
