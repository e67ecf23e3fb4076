// Quota and budget arithmetic: the pure functions table-driven, and the committed-usage / committed-
// spend queries on a real PostgreSQL (live VMs + in-flight requests' VMs not yet created).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';
import { createTestDatabase } from '../testing/db';
import { budgetLine, committedSpend, monthlyBudget } from './budget';
import { loadPriceContext } from './ports';
import { checkQuota, loadProjectUsage, type ProjectUsage, type QuotaLimits } from './quota';

const all = (l: Partial<QuotaLimits>): QuotaLimits => ({ providerKind: null, maxInstances: null, maxVcpus: null, maxMemoryMiB: null, maxDiskGiB: null, ...l });
const usage = (total: [number, number, number, number], aws?: [number, number, number, number]): ProjectUsage => {
  const u = ([instances, vcpus, memoryMiB, diskGiB]: [number, number, number, number]) => ({ instances, vcpus, memoryMiB, diskGiB });
  return { total: u(total), byKind: aws ? { aws: u(aws) } : {} };
};
const demand = { providerKind: 'aws' as const, count: 5, vcpusPerVm: 2, memoryMiBPerVm: 4096, diskGiBPerVm: 40 };

describe('checkQuota', () => {
  it.each([
    { name: 'no quota rows: nothing limited', quotas: [], used: usage([0, 0, 0, 0]), lines: 0, exceeded: [] as string[] },
    { name: 'within the VM limit', quotas: [all({ maxInstances: 20 })], used: usage([15, 30, 0, 0]), lines: 1, exceeded: [] },
    { name: 'exactly at the VM limit is allowed', quotas: [all({ maxInstances: 20 })], used: usage([15, 0, 0, 0]), lines: 1, exceeded: [] },
    { name: 'one over the VM limit', quotas: [all({ maxInstances: 20 })], used: usage([16, 0, 0, 0]), lines: 1, exceeded: ['VMs (all providers)'] },
    { name: 'vCPU, RAM and disk each checked', quotas: [all({ maxVcpus: 10, maxMemoryMiB: 20480, maxDiskGiB: 199 })], used: usage([0, 0, 0, 0]), lines: 3, exceeded: ['Disk (GiB) (all providers)'] },
    {
      name: 'the provider-kind row counts only that kind',
      quotas: [all({ maxInstances: 100 }), all({ providerKind: 'aws', maxInstances: 6 })],
      used: usage([50, 0, 0, 0], [2, 0, 0, 0]),
      lines: 2,
      exceeded: ['VMs (AWS)'],
    },
    { name: 'another kind’s row does not apply', quotas: [all({ providerKind: 'gcp', maxInstances: 1 })], used: usage([0, 0, 0, 0]), lines: 0, exceeded: [] },
  ])('$name', ({ quotas, used, lines, exceeded }) => {
    const check = checkQuota(quotas, used, demand);
    expect(check.lines).toHaveLength(lines);
    expect(check.exceeded.map((e) => e.name)).toEqual(exceeded);
  });

  it('reports used, requested, after and remaining', () => {
    const [line] = checkQuota([all({ maxVcpus: 16 })], usage([3, 8, 0, 0]), demand).lines;
    expect(line).toEqual({ name: 'vCPU (all providers)', scope: 'all', resource: 'vcpus', limit: 16, used: 8, requested: 10, after: 18, remaining: -2, exceeded: true });
  });
});

describe('budgetLine', () => {
  it.each([
    { budget: '1000.00', committed: '600.10', request: '399.90', after: '1000.00', remaining: '0.00', exceeded: false },
    { budget: '1000', committed: '600.10', request: '399.91', after: '1000.01', remaining: '-0.01', exceeded: true },
    { budget: null, committed: '5', request: '7.3', after: '12.30', remaining: null, exceeded: false },
    // Decimal, not float: 0.1 + 0.2 is exactly 0.30.
    { budget: '0.30', committed: '0.1', request: '0.2', after: '0.30', remaining: '0.00', exceeded: false },
  ])('budget $budget, committed $committed + $request', ({ budget, committed, request, after, remaining, exceeded }) => {
    expect(budgetLine({ budget, currency: 'USD', committed, request })).toMatchObject({ after, remaining, exceeded });
  });
});

describe('committed usage and spend on PostgreSQL', () => {
  let db: Db;
  let projectId = '';

  beforeAll(async () => {
    ({ db } = await createTestDatabase());
    const user = await db.user.create({ data: { email: 'u@t.test', name: 'U' } });
    const project = await db.project.create({ data: { key: 'p', name: 'P', costCentre: 'C', ownerId: user.id } });
    projectId = project.id;
    const other = await db.project.create({ data: { key: 'o', name: 'O', costCentre: 'C', ownerId: user.id } });
    const aws = await db.providerAccount.create({ data: { kind: 'aws', name: 'aws', settings: {}, secretsCiphertext: 'x' } });
    const vc = await db.providerAccount.create({ data: { kind: 'vsphere', name: 'vc', settings: {}, secretsCiphertext: 'x' } });
    await db.priceBook.create({
      data: {
        name: 'b', effectiveFrom: new Date('2020-01-01'),
        rates: { create: [{ providerKind: 'aws', sku: 't3.small', unitPrice: '0.02' }, { providerKind: 'vsphere', sku: 'vcpu', unitPrice: '0.01' }, { providerKind: 'vsphere', sku: 'memory-gib', unitPrice: '0.005' }] },
      },
    });
    const vm = (n: number, data: Omit<Prisma.VmCreateManyInput, 'providerId' | 'name' | 'regionCode'>): Prisma.VmCreateManyInput => ({ providerId: `i-${n}`, name: `vm-${n}`, regionCode: 'eu-west-1', ...data });
    await db.vm.createMany({
      data: [
        vm(1, { providerAccountId: aws.id, providerKind: 'aws', size: 't3.small', vcpus: 2, memoryMiB: 2048, diskGiB: 20, state: 'running', projectId }),
        vm(2, { providerAccountId: aws.id, providerKind: 'aws', size: 't3.small', vcpus: 2, memoryMiB: 2048, diskGiB: 20, state: 'stopped', projectId }),
        vm(3, { providerAccountId: vc.id, providerKind: 'vsphere', size: 'medium', vcpus: 4, memoryMiB: 8192, diskGiB: 50, state: 'running', projectId }),
        vm(4, { providerAccountId: aws.id, providerKind: 'aws', size: 't3.small', vcpus: 2, memoryMiB: 2048, diskGiB: 20, state: 'deleted', deletedAt: new Date(), projectId }),
        vm(5, { providerAccountId: aws.id, providerKind: 'aws', size: 't3.small', vcpus: 2, memoryMiB: 2048, diskGiB: 20, state: 'running', projectId: other.id }),
      ],
    });
    const template = await db.catalogTemplate.create({ data: { slug: 't', name: 'T', os: 'L', vcpus: 1, memoryMiB: 1024, diskGiB: 10 } });
    const version = await db.catalogTemplateVersion.create({ data: { templateId: template.id, version: 1, snapshot: {} } });
    const request = async (status: 'draft' | 'pending_approval' | 'approved' | 'provisioning' | 'rejected', quantity: number, cost: string) => {
      const r = await db.request.create({
        data: {
          requesterId: user.id, projectId, status,
          items: { create: [{ templateVersionId: version.id, providerAccountId: aws.id, regionCode: 'eu-west-1', size: 't3.small', image: 'i', name: 'x', quantity, vcpus: 1, memoryMiB: 1024, diskGiB: 10, estimatedMonthlyCost: cost }] },
        },
        include: { items: true },
      });
      return r.items[0]!.id;
    };
    await request('draft', 7, '70');
    await request('rejected', 7, '70');
    await request('pending_approval', 2, '20');
    await request('approved', 1, '10');
    const provisioning = await request('provisioning', 4, '40.00');
    // One of the provisioning item's 4 VMs exists already: it counts once (as a live VM), the other 3 as in flight.
    await db.vm.create({ data: vm(6, { providerAccountId: aws.id, providerKind: 'aws', size: 't3.small', vcpus: 1, memoryMiB: 1024, diskGiB: 10, state: 'pending', projectId, requestItemId: provisioning }) });
    await db.budget.create({ data: { name: 'q', projectId, amount: '3000', period: 'quarterly', startsOn: new Date('2020-01-01') } });
  });

  it('usage = live VMs (not deleted, any project VM state but deleted) + in-flight VMs not yet created, per kind', async () => {
    const u = await loadProjectUsage(db, projectId);
    // live: vm1, vm2, vm3, vm6 = 4; in flight: 2 + 1 + 3 = 6
    expect(u.total).toEqual({ instances: 10, vcpus: 2 + 2 + 4 + 1 + 6, memoryMiB: 2048 * 2 + 8192 + 1024 + 6 * 1024, diskGiB: 20 * 2 + 50 + 10 + 60 });
    expect(u.byKind.vsphere).toEqual({ instances: 1, vcpus: 4, memoryMiB: 8192, diskGiB: 50 });
    expect(u.byKind.aws!.instances).toBe(9);
  });

  it('committed spend = live run-rate priced from the price book + in-flight estimates; quarterly budget / 3', async () => {
    expect(await monthlyBudget(db, projectId)).toEqual({ amount: '1000.00', currency: 'USD' });
    const spend = await committedSpend(db, projectId, await loadPriceContext(db, { projectId }));
    // live: 3 × t3.small (14.60) + vSphere 4 vCPU/8 GiB ((0.04 + 0.04) × 730 = 58.40) = 102.20;
    // in flight: 20 + 10 + 40 × 3/4 = 60.00
    expect(spend).toEqual({ committed: '162.20', currency: 'USD', budget: '1000.00', actualMonthToDate: '0.00', forecastMonthEnd: '0.00' });
  });
});
