// Inventory cost column: the price book's rate × 730 h, with a project's markup applied only to its VMs.
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../testing/db';
import { listVms } from './list';
import { listVmsQuerySchema } from './schemas';
import { makeProject, makeUser, principalOf } from './test-fixtures';

const { db } = await createTestDatabase();

describe('monthly cost of inventory rows', () => {
  it('prices from the price book, with per-project rules and vSphere chargeback', async () => {
    const admin = await makeUser(db, 'admin@cost.test', ['requester', 'admin']);
    const marked = await makeProject(db, 'cost-marked', admin.id);
    const plain = await makeProject(db, 'cost-plain', admin.id);
    await db.priceBook.create({
      data: {
        name: 'list', effectiveFrom: new Date('2020-01-01'),
        rates: { create: [{ providerKind: 'aws', sku: 't3.small', unitPrice: '0.02' }, { providerKind: 'vsphere', sku: 'vcpu', unitPrice: '0.01' }, { providerKind: 'vsphere', sku: 'memory-gib', unitPrice: '0.005' }] },
      },
    });
    await db.priceRule.create({ data: { name: 'markup', adjustment: 'markup', percent: '10', projectId: marked.id } });
    const aws = await db.providerAccount.create({ data: { kind: 'aws', name: 'aws', settings: {}, secretsCiphertext: 'x' } });
    const vs = await db.providerAccount.create({ data: { kind: 'vsphere', name: 'vs', settings: {}, secretsCiphertext: 'x' } });
    const base = { regionCode: 'eu-west-1', size: 't3.small', vcpus: 2, memoryMiB: 2048 };
    await db.vm.createMany({
      data: [
        { ...base, providerAccountId: aws.id, providerKind: 'aws', providerId: 'i-1', name: 'a-marked', projectId: marked.id },
        { ...base, providerAccountId: aws.id, providerKind: 'aws', providerId: 'i-2', name: 'b-plain', projectId: plain.id },
        { ...base, providerAccountId: aws.id, providerKind: 'aws', providerId: 'i-3', name: 'c-unknown-size', size: 'x9.huge' },
        { providerAccountId: vs.id, providerKind: 'vsphere', providerId: 'vm-1', name: 'd-vsphere', regionCode: 'DC0', size: 'custom', vcpus: 4, memoryMiB: 8192 },
      ],
    });
    const page = await listVms(db, principalOf(admin), listVmsQuerySchema.parse({}));
    const cost = Object.fromEntries(page.vms.map((v) => [v.name, v.monthlyCost?.amount ?? null]));
    expect(cost).toEqual({ 'a-marked': '16.06', 'b-plain': '14.60', 'c-unknown-size': null, 'd-vsphere': '58.40' });
  });
});
