// The stored monthly cost (VmMonthlyCost): billing forecast when the VM has billing rows this month
// (imported through the real FOCUS importer), else the price book; the cost sort/filter and the list
// use it; the refresh job runs after a sync; getVm shows cost to date and the forecast.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { importCostFile } from '../billing/importer';
import { forecastMonthEnd } from '../billing/money';
import { focusCsv } from '../billing/testing';
import type { Db } from '../db/client';
import { configureJobs } from '../jobs/context';
import { createTestDatabase } from '../testing/db';
import { runJobsUntilIdle } from '../testing/jobs';
import { enqueueCostRefresh, refreshVmCosts, REFRESH_COSTS_TASK, costTasks } from './cost-refresh';
import { listVms } from './list';
import { listVmsQuerySchema } from './schemas';
import { makeProject, makeUser, principalOf } from './test-fixtures';
import { getVm } from './vm';

let db: Db;
let url = '';
const AT = new Date('2026-03-15T12:00:00Z');
const ids = { billed: '', listed: '', unpriced: '', admin: '' };

beforeAll(async () => {
  ({ db, url } = await createTestDatabase());
  configureJobs({ db });
  const admin = await makeUser(db, 'admin@cost-refresh.test', ['requester', 'admin']);
  ids.admin = admin.id;
  const project = await makeProject(db, 'cost-refresh', admin.id);
  await db.priceBook.create({ data: { name: 'list', effectiveFrom: new Date('2020-01-01'), rates: { create: [{ providerKind: 'aws', sku: 't3.small', unitPrice: '0.02' }] } } });
  const account = await db.providerAccount.create({ data: { kind: 'aws', name: 'aws-cr', settings: {}, secretsCiphertext: 'x' } });
  const base = { providerAccountId: account.id, providerKind: 'aws' as const, regionCode: 'eu-west-1', size: 't3.small', vcpus: 2, memoryMiB: 2048, projectId: project.id };
  ids.billed = (await db.vm.create({ data: { ...base, providerId: 'i-billed', name: 'billed' } })).id;
  ids.listed = (await db.vm.create({ data: { ...base, providerId: 'i-listed', name: 'listed' } })).id;
  ids.unpriced = (await db.vm.create({ data: { ...base, providerId: 'i-unpriced', name: 'unpriced', size: 'x9.huge' } })).id;
  const tmp = await mkdtemp(path.join(tmpdir(), 'skyport-cost-refresh-'));
  const file = path.join(tmp, 'march.csv');
  await writeFile(
    file,
    focusCsv([
      { provider: 'AWS', account: 'A1', start: '2026-03-01T00:00:00Z', billed: '100', region: 'eu-west-1', resourceId: 'i-billed', service: 'EC2' },
      { provider: 'AWS', account: 'A1', start: '2026-03-02T00:00:00Z', billed: '50', region: 'eu-west-1', resourceId: 'i-billed', service: 'EC2' },
    ]),
  );
  const imported = await importCostFile(db, url, file, { fileName: 'march.csv', audit: auditContext(SYSTEM_ACTOR) });
  expect(imported.status).toBe('succeeded');
});

describe('refreshVmCosts', () => {
  it('stores the billing forecast for billed VMs, the price book for the others, and writes only changes', async () => {
    const first = await refreshVmCosts(db, { at: AT });
    expect(first).toMatchObject({ billing: 1, price_book: 1, none: 1, written: 3 });
    const rows = Object.fromEntries((await db.vmMonthlyCost.findMany()).map((r) => [r.vmId, { amount: r.monthlyCost?.toFixed(2) ?? null, source: r.source, currency: r.currency }]));
    // 150 billed in 15 days of March (31 days) → 150 / 15 × 31 = 310.00; list price 0.02 × 730 h = 14.60.
    expect(rows[ids.billed]).toEqual({ amount: '310.00', source: 'billing', currency: 'USD' });
    expect(rows[ids.listed]).toEqual({ amount: '14.60', source: 'price_book', currency: 'USD' });
    expect(rows[ids.unpriced]).toEqual({ amount: null, source: 'none', currency: null });
    expect((await refreshVmCosts(db, { at: AT })).written).toBe(0);
  });

  it('feeds the cost sort, the cost range filter and the source shown per row', async () => {
    await refreshVmCosts(db, { at: AT });
    const admin = principalOf({ id: ids.admin, email: 'admin@cost-refresh.test', name: 'admin', roles: ['requester', 'admin'] });
    const desc = await listVms(db, admin, listVmsQuerySchema.parse({ sort: '-cost' }));
    // Descending puts VMs without a figure first (NULLS FIRST), like every nullable column.
    expect(desc.vms.map((v) => [v.name, v.monthlyCost?.amount ?? null, v.monthlyCostSource])).toEqual([
      ['unpriced', null, null],
      ['billed', '310.00', 'billing'],
      ['listed', '14.60', 'price_book'],
    ]);
    const asc = await listVms(db, admin, listVmsQuerySchema.parse({ sort: 'cost' }));
    expect(asc.vms.map((v) => v.name)).toEqual(['listed', 'billed', 'unpriced']);
    const range = await listVms(db, admin, listVmsQuerySchema.parse({ costMin: '10', costMax: '100' }));
    expect(range).toMatchObject({ total: 1, vms: [{ name: 'listed' }] });
  });

  it('runs as the inventory.refresh_costs job and drops rows of VMs that are gone', async () => {
    await db.vmMonthlyCost.create({ data: { vmId: 'vm-that-is-gone', monthlyCost: '1', currency: 'USD', source: 'price_book' } });
    await db.vmMonthlyCost.delete({ where: { vmId: ids.listed } });
    await enqueueCostRefresh(db);
    await runJobsUntilIdle(db, { tasks: { [REFRESH_COSTS_TASK]: costTasks[REFRESH_COSTS_TASK]! } });
    expect(await db.vmMonthlyCost.findUnique({ where: { vmId: 'vm-that-is-gone' } })).toBeNull();
    expect(await db.vmMonthlyCost.findUnique({ where: { vmId: ids.listed } })).toMatchObject({ source: 'price_book', currency: 'USD' });
  });
  it('getVm shows cost to date and the month-end forecast from billing rows of this month', async () => {
    const admin = principalOf({ id: ids.admin, email: 'admin@cost-refresh.test', name: 'admin', roles: ['requester', 'admin'] });
    const listed = await db.vm.findUniqueOrThrow({ where: { id: ids.listed } });
    const current = await db.vm.create({ data: { ...listed, id: undefined, providerId: 'i-current', name: 'current', createdAt: undefined, updatedAt: undefined, tags: {} } });
    const month = new Date().toISOString().slice(0, 7);
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'skyport-cost-refresh-')), 'current.csv');
    await writeFile(
      file,
      focusCsv([
        { provider: 'AWS', account: 'A2', start: `${month}-01T00:00:00Z`, billed: '100', region: 'eu-west-1', resourceId: 'i-current', service: 'EC2' },
        { provider: 'AWS', account: 'A2', start: `${month}-01T00:00:00Z`, billed: '50', region: 'eu-west-1', resourceId: 'i-current', service: 'EBS' },
      ]),
    );
    expect((await importCostFile(db, url, file, { fileName: 'current.csv', audit: auditContext(SYSTEM_ACTOR) })).status).toBe('succeeded');
    const view = await getVm(db, admin, current.id);
    expect(view.costToDate).toMatchObject({ currency: 'USD', monthToDate: '150.00', forecastMonthEnd: forecastMonthEnd('150', new Date()) });
    expect(view.costToDate?.method).toContain('days elapsed');
    // Without billing rows: no cost to date; the monthly figure is the price-book estimate.
    expect(await getVm(db, admin, ids.listed)).toMatchObject({ costToDate: null, monthlyCost: { amount: '14.60' }, monthlyCostSource: 'price_book' });
  });
});
