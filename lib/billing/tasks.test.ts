// The billing jobs through graphile-worker (runOnce), against this file's database.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/client';
import { configureJobs } from '../jobs/context';
import { enqueueJob } from '../jobs/queue';
import { createTestDatabase } from '../testing/db';
import { runJobsUntilIdle } from '../testing/jobs';
import { BUDGET_ALERTS_TASK, CHARGEBACK_TASK, IMPORT_ALL_FOLDERS_TASK, cron, enqueueMissingChargebacks, tasks } from './tasks';
import { focusCsv } from './testing';

let db: Db;
const saved = { url: process.env.DATABASE_URL, dir: process.env.SKYPORT_COST_IMPORT_DIR };

beforeAll(async () => {
  const created = await createTestDatabase();
  db = created.db;
  configureJobs({ db });
  process.env.DATABASE_URL = created.url; // the tasks' COPY connection
  process.env.SKYPORT_COST_IMPORT_DIR = await mkdtemp(path.join(tmpdir(), 'skyport-watched-'));
});
afterAll(() => {
  process.env.DATABASE_URL = saved.url;
  process.env.SKYPORT_COST_IMPORT_DIR = saved.dir;
});

describe('billing tasks', () => {
  it('declares its cron entries', () => {
    expect(cron.map((c) => c.task).sort()).toEqual([BUDGET_ALERTS_TASK, CHARGEBACK_TASK, IMPORT_ALL_FOLDERS_TASK].sort());
  });

  it('the folder cron queues one import per account, which imports the new file and then evaluates budgets', async () => {
    const owner = await db.user.create({ data: { email: 'owner@tasks.test', name: 'Owner' } });
    const project = await db.project.create({ data: { key: 'shop', name: 'Shop', costCentre: 'CC-1', ownerId: owner.id } });
    const account = await db.providerAccount.create({ data: { name: 'aws-watched', kind: 'aws', settings: {}, secretsCiphertext: 'x' } });
    const today = new Date();
    const start = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1)).toISOString();
    await db.budget.create({ data: { name: 'Shop', projectId: project.id, amount: '1', alertThresholds: [100], startsOn: new Date(start) } });
    const dir = path.join(process.env.SKYPORT_COST_IMPORT_DIR!, account.id);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'export.csv'), focusCsv([{ provider: 'AWS', account: 'W1', start, billed: '5', tags: { project: 'shop' } }]));
    await enqueueJob(db, IMPORT_ALL_FOLDERS_TASK, {});
    await runJobsUntilIdle(db, { tasks });
    const imported = await db.costImport.findFirst({ where: { providerAccountId: account.id } });
    expect(imported).toMatchObject({ status: 'succeeded', rowCount: 1, fileName: 'export.csv' });
    expect(await db.budgetAlert.count({ where: { budget: { projectId: project.id }, forecast: false, threshold: 100 } })).toBe(1);
  });

  it('runs the chargeback for a given day', async () => {
    const book = await db.priceBook.create({ data: { name: 'CB', currency: 'EUR', source: 'chargeback', effectiveFrom: new Date('2020-01-01') } });
    await db.rate.create({ data: { priceBookId: book.id, providerKind: 'vsphere', sku: 'vcpu', unit: 'hour', unitPrice: '0.5' } });
    const vc = await db.providerAccount.create({ data: { name: 'vc-task', kind: 'vsphere', settings: {}, secretsCiphertext: 'x' } });
    await db.vm.create({ data: { providerAccountId: vc.id, providerKind: 'vsphere', regionCode: 'dc', providerId: 'vm-9', name: 'cb-1', size: 's', vcpus: 1, state: 'running', providerCreatedAt: new Date('2026-02-01T00:00:00Z') } });
    await enqueueJob(db, CHARGEBACK_TASK, { through: '2026-02-03T02:00:00Z' });
    await runJobsUntilIdle(db, { tasks });
    const rows = await db.costRecord.findMany({ where: { providerAccountId: vc.id } });
    expect(rows).toHaveLength(2); // 2 complete days × vCPU
    expect(rows.map((r) => r.billedCost.toString())).toEqual(['12', '12']);
    expect(rows[0]).toMatchObject({ providerName: 'VMware (on-prem)', billingCurrency: 'EUR', invoiceIssuerName: 'Skyport' });
  });

  it('at start-up queues the chargeback of last month and this month once, only while they have no on-prem rows', async () => {
    const book = await db.priceBook.findFirstOrThrow({ where: { name: 'CB' } }); // the day test's rate card (vCPU 0.5/h)
    expect(book.currency).toBe('EUR');
    const vc = await db.providerAccount.create({ data: { name: 'vc-catch-up', kind: 'vsphere', settings: {}, secretsCiphertext: 'x' } });
    // Made on 10 Oct, first seen by Skyport on 1 Nov: charged from its creation.
    await db.vm.create({ data: { providerAccountId: vc.id, providerKind: 'vsphere', regionCode: 'dc', providerId: 'vm-10', name: 'legacy-1', size: 's', vcpus: 1, state: 'running', providerCreatedAt: new Date('2026-10-10T00:00:00Z'), firstSeenAt: new Date('2026-11-01T00:00:00Z') } });
    const now = new Date('2026-11-03T09:00:00Z');
    expect(await enqueueMissingChargebacks(db, now)).toEqual(['2026-10', '2026-11']);
    expect(await enqueueMissingChargebacks(db, now)).toEqual(['2026-10', '2026-11']); // same job keys: still two jobs
    expect(await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = ${CHARGEBACK_TASK}`).toEqual([{ n: 2 }]);
    await runJobsUntilIdle(db, { tasks });
    const days = await db.$queryRaw<{ month: string; days: number; cost: string }[]>`
      SELECT to_char("billingMonth", 'YYYY-MM') AS month, count(*)::int AS days, sum("billedCost")::text AS cost
      FROM "CostRecord" WHERE "providerAccountId" = ${vc.id} GROUP BY 1 ORDER BY 1`;
    // October from the 10th (22 days × 24 h × 0.5), November's 2 complete days.
    expect(days).toEqual([
      { month: '2026-10', days: 22, cost: '264.000000000000000000000000000000' },
      { month: '2026-11', days: 2, cost: '24.000000000000000000000000000000' },
    ]);
    expect(await enqueueMissingChargebacks(db, now)).toEqual([]);
    // On the 1st no day of the month is complete yet: only last month is due.
    expect(await enqueueMissingChargebacks(db, new Date('2027-01-01T05:00:00Z'))).toEqual(['2026-12']);
  });
});
