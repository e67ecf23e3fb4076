import { beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '@/generated/prisma/client';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import type { Db } from '../db/client';
import { createTestDatabase } from '../testing/db';
import { createPriceRule, updatePriceRule } from './price-book';
import type { TemplateDefinition } from './schemas';
import { loadPriceContext, mappingFor, priceTemplatePlacement, priceVm, rateKey, sumMoney, timesMoney, type PriceContext } from './pricing';

const D = (v: string) => new Prisma.Decimal(v);

function context(rules: PriceContext['rules'] = [], projectId: string | null = null): PriceContext {
  return {
    priceBookId: 'book',
    priceBookName: 'Book',
    currency: 'EUR',
    projectId,
    rates: new Map([
      [rateKey('aws', '*', 't3.medium', 'hour'), D('0.0416')],
      [rateKey('aws', 'eu-west-1', 't3.medium', 'hour'), D('0.0456')],
      [rateKey('aws', '*', 'disk-gib', 'month'), D('0.08')],
      [rateKey('azure', '*', 'Reserved_X', 'month'), D('55.5')],
      [rateKey('vsphere', '*', 'vcpu', 'hour'), D('0.012')],
      [rateKey('vsphere', '*', 'memory-gib', 'hour'), D('0.004')],
      [rateKey('vsphere', '*', 'disk-gib', 'month'), D('0.08')],
      [rateKey('gcp', '*', 'e2-micro', 'hour'), D('0.0000001')],
    ]),
    rules,
  };
}
const vm = { instanceType: 't3.medium', vcpus: 2, memoryMiB: 4096, diskGiB: 40 };
const rule = (adjustment: 'markup' | 'discount', percent: string, providerKind: 'aws' | null = null, projectId: string | null = null) => ({
  id: `${adjustment}-${percent}`, name: 'r', adjustment, percent: D(percent), providerKind, projectId,
});

describe('priceVm', () => {
  it('prices cloud compute as hourly × 730 (region rate first) plus disk per GiB-month', () => {
    expect(priceVm(context(), { providerKind: 'aws', regionCode: 'us-east-1', ...vm })).toEqual({ computeMonthly: '30.37', diskMonthly: '3.20', totalMonthly: '33.57', currency: 'EUR' });
    expect(priceVm(context(), { providerKind: 'aws', regionCode: 'eu-west-1', ...vm })!.computeMonthly).toBe('33.29');
  });

  it('uses a monthly rate as is, and null when the type has no rate and no rate card', () => {
    expect(priceVm(context(), { providerKind: 'azure', regionCode: 'westeurope', ...vm, instanceType: 'Reserved_X' })).toMatchObject({ computeMonthly: '55.50', diskMonthly: '0.00', totalMonthly: '55.50' });
    expect(priceVm(context(), { providerKind: 'azure', regionCode: 'westeurope', ...vm, instanceType: 'Standard_B2s' })).toBeNull();
  });

  it('prices a provider without instance-type rates from its chargeback rate card (vSphere)', () => {
    // (2 × 0.012 + 4 × 0.004) × 730 = 29.20; 40 × 0.08 = 3.20
    expect(priceVm(context(), { providerKind: 'vsphere', regionCode: 'dc1', ...vm, instanceType: 'medium' })).toMatchObject({ computeMonthly: '29.20', diskMonthly: '3.20', totalMonthly: '32.40' });
    // 1.5 GiB of RAM is priced exactly: (1 × 0.012 + 1.5 × 0.004) × 730 = 13.14
    expect(priceVm(context(), { providerKind: 'vsphere', regionCode: 'dc1', instanceType: 'x', vcpus: 1, memoryMiB: 1536, diskGiB: 0 })!.computeMonthly).toBe('13.14');
  });

  it('applies markup and discount rules per provider and project, decimal-exact', () => {
    // +10 % markup on everything, −25 % discount on AWS for project p1: factor 0.85 for p1 on AWS.
    const rules = [rule('markup', '10'), rule('discount', '25', 'aws', 'p1')];
    const p1 = context(rules, 'p1');
    // 30.368 × 0.85 = 25.8128 → 25.81; 3.2 × 0.85 = 2.72
    expect(priceVm(p1, { providerKind: 'aws', regionCode: 'us-east-1', ...vm })).toMatchObject({ computeMonthly: '25.81', diskMonthly: '2.72', totalMonthly: '28.53' });
    // Other project: only the markup. 30.368 × 1.1 = 33.4048 → 33.40; 3.52
    expect(priceVm(context(rules, 'p2'), { providerKind: 'aws', regionCode: 'us-east-1', ...vm })).toMatchObject({ computeMonthly: '33.40', diskMonthly: '3.52', totalMonthly: '36.92' });
    // vSphere in p1: markup only (the discount is AWS-only). 29.2 × 1.1 = 32.12
    expect(priceVm(p1, { providerKind: 'vsphere', regionCode: 'dc1', ...vm, instanceType: 'medium' })!.computeMonthly).toBe('32.12');
    // Discounts never push a price below zero.
    expect(priceVm(context([rule('discount', '100'), rule('discount', '50')]), { providerKind: 'aws', regionCode: 'x', ...vm })!.totalMonthly).toBe('0.00');
  });

  it('keeps cents exact where floats drift', () => {
    // 0.1 + 0.2 style: 3 × 0.0000001 × 730 rounds to 0.00, and sums of strings are exact.
    expect(priceVm(context(), { providerKind: 'gcp', regionCode: 'x', instanceType: 'e2-micro', vcpus: 2, memoryMiB: 1024, diskGiB: 0 })!.totalMonthly).toBe('0.00');
    expect(sumMoney(['0.10', '0.20'])).toBe('0.30');
    expect(timesMoney('33.57', 3)).toBe('100.71');
    expect(0.1 + 0.2).not.toBe(0.3);
  });
});

describe('template placements', () => {
  const definition: Pick<TemplateDefinition, 'sizes' | 'mappings'> = {
    sizes: [{ name: 'small', vcpus: 2, memoryMiB: 4096, diskGiB: 40 }, { name: 'big', vcpus: 8, memoryMiB: 32768, diskGiB: 40 }],
    mappings: [
      { providerKind: 'aws', regionCode: '*', instanceTypes: { small: 't3.medium' }, image: 'generic' },
      { providerKind: 'aws', regionCode: 'eu-west-1', instanceTypes: { small: 't3.medium', big: 'm5.2xlarge' }, image: 'eu-image' },
    ],
  };
  it('picks the region’s own mapping over "*" and prices the size', () => {
    expect(mappingFor(definition, 'aws', 'eu-west-1')!.image).toBe('eu-image');
    expect(mappingFor(definition, 'aws', 'us-east-1')!.image).toBe('generic');
    expect(mappingFor(definition, 'gcp', 'x')).toBeNull();
    expect(priceTemplatePlacement(context(), definition, 'small', 'aws', 'eu-west-1')).toMatchObject({ instanceType: 't3.medium', image: 'eu-image', totalMonthly: '36.49' });
    // "big" is not offered by the generic mapping, and m5.2xlarge has no rate.
    expect(priceTemplatePlacement(context(), definition, 'big', 'aws', 'us-east-1')).toBeNull();
    expect(priceTemplatePlacement(context(), definition, 'big', 'aws', 'eu-west-1')).toBeNull();
  });
});

describe('loadPriceContext', () => {
  let db: Db;
  beforeAll(async () => {
    ({ db } = await createTestDatabase());
  });

  it('loads the book in effect and the enabled rules of the project (plus global ones)', async () => {
    const owner = await db.user.create({ data: { email: 'o@t.test', name: 'O' } });
    const [p1, p2] = await Promise.all(['p1', 'p2'].map((key) => db.project.create({ data: { key, name: key, costCentre: 'C', ownerId: owner.id } })));
    await db.priceBook.create({ data: { name: 'Old', effectiveFrom: new Date(Date.UTC(2020, 0, 1)), effectiveTo: new Date(Date.UTC(2020, 11, 31)), rates: { create: [{ providerKind: 'aws', sku: 't3.medium', unitPrice: '1' }] } } });
    await db.priceBook.create({ data: { name: 'Now', currency: 'EUR', effectiveFrom: new Date(Date.UTC(2026, 0, 1)), rates: { create: [{ providerKind: 'aws', sku: 't3.medium', unitPrice: '0.0416' }] } } });
    const audit = auditContext(SYSTEM_ACTOR);
    await createPriceRule(db, { name: 'Global markup', adjustment: 'markup', percent: '10' }, audit);
    await createPriceRule(db, { name: 'P1 discount', adjustment: 'discount', percent: '20', projectId: p1!.id }, audit);
    const disabled = await createPriceRule(db, { name: 'Off', adjustment: 'markup', percent: '50' }, audit);
    await updatePriceRule(db, disabled.id, { enabled: false }, audit);
    await createPriceRule(db, { name: 'P2 only', adjustment: 'markup', percent: '5', projectId: p2!.id }, audit);

    const at = new Date(Date.UTC(2026, 5, 1));
    const ctx = await loadPriceContext(db, { projectId: p1!.id, at });
    expect(ctx).toMatchObject({ priceBookName: 'Now', currency: 'EUR', projectId: p1!.id });
    expect(ctx.rules.map((r) => r.name).sort()).toEqual(['Global markup', 'P1 discount']);
    // 30.368 × (1 + 0.10 − 0.20) = 27.3312
    expect(priceVm(ctx, { providerKind: 'aws', regionCode: 'us-east-1', ...vm })!.totalMonthly).toBe('27.33');
    expect((await loadPriceContext(db, { at: new Date(Date.UTC(2020, 5, 1)) })).priceBookName).toBe('Old');
    // Filters: only the named skus (plus chargeback/disk) and regions (plus "*") are loaded.
    await db.rate.createMany({ data: [{ priceBookId: ctx.priceBookId!, providerKind: 'aws', regionCode: 'eu-west-1', sku: 't3.medium', unitPrice: '0.05' }, { priceBookId: ctx.priceBookId!, providerKind: 'aws', sku: 'm5.large', unitPrice: '0.096' }] });
    expect([...(await loadPriceContext(db, { at, skus: ['t3.medium'] })).rates.keys()].sort()).toEqual(['aws|*|t3.medium|hour', 'aws|eu-west-1|t3.medium|hour']);
    expect([...(await loadPriceContext(db, { at, regionCodes: ['us-east-1'] })).rates.keys()].sort()).toEqual(['aws|*|m5.large|hour', 'aws|*|t3.medium|hour']);
    const none = await loadPriceContext(db, { at: new Date(Date.UTC(2019, 0, 1)) });
    expect(none.priceBookId).toBeNull();
    expect(priceVm(none, { providerKind: 'aws', regionCode: 'us-east-1', ...vm })).toBeNull();
  });
});
