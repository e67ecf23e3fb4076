import { describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, auditContext } from '../audit/record';
import { ValidationError } from '../errors';
import { createTestDatabase } from '../testing/db';
import { STALE_HEARTBEAT_MS, failStaleImports, getCostImport, listCostImports, startStreamedImport } from './imports';

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

  it('marks an import failed on the next poll once its process stopped sending heartbeats (a restart mid-import)', async () => {
    const { db } = await createTestDatabase();
    const stopped = await db.costImport.create({
      data: { source: 'focus', fileName: 'stopped.csv', status: 'running', phase: 'copy', heartbeatAt: new Date(Date.now() - STALE_HEARTBEAT_MS - 60_000) },
    });
    const alive = await db.costImport.create({ data: { source: 'focus', fileName: 'alive.csv', status: 'running', phase: 'copy', heartbeatAt: new Date() } });
    await db.$executeRawUnsafe(`CREATE TABLE "CostRecord_stage_${stopped.id}_rollup" (n int)`);
    const views = await listCostImports(db);
    expect(views.find((v) => v.id === stopped.id)).toMatchObject({ status: 'failed', phase: 'done', message: expect.stringMatching(/nothing was imported/) });
    expect(views.find((v) => v.id === alive.id)).toMatchObject({ status: 'running', phase: 'copy' });
    const left = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_class WHERE relname LIKE ${`CostRecord_stage_${stopped.id}%`}`;
    expect(Number(left[0]!.n)).toBe(0);
  });
});

describe('startStreamedImport', () => {
  const csv = [
    'BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,BilledCost,EffectiveCost,ResourceId',
    '2024-09-01T00:00:00Z,2024-10-01T00:00:00Z,2024-09-02T00:00:00Z,2024-09-03T00:00:00Z,Usage,1.25,1.00,r-1',
  ].join('\n');
  const upload = (form: FormData) => {
    const request = new Request('http://localhost/api/v1/costs/imports', { method: 'POST', body: form });
    return { contentType: request.headers.get('content-type'), body: request.body as AsyncIterable<Uint8Array> | null };
  };

  it('answers with the queued import at once and imports in the background, recording phase and progress', async () => {
    const { db, url } = await createTestDatabase();
    const admin = await db.user.create({ data: { email: 'stream-admin@t.test', name: 'Admin' } });
    const form = new FormData();
    form.append('file', new Blob([csv]), 'stream.csv');
    form.append('providerName', 'Stream Cloud');
    form.append('billingCurrency', 'eur');
    const { view, done } = await startStreamedImport(db, url, upload(form), { importedById: admin.id, audit: auditContext(SYSTEM_ACTOR) });
    expect(view).toMatchObject({ fileName: 'stream.csv', status: 'queued', phase: 'queued' });
    const result = await done;
    expect(result).toMatchObject({ status: 'succeeded', rowCount: 1, copyMode: 'typed' });
    expect(await getCostImport(db, view.id)).toMatchObject({ status: 'succeeded', phase: 'done', rowsRead: 1, rowCount: 1 });
    expect(await db.costRecord.findFirst({ where: { importId: view.id } })).toMatchObject({ providerName: 'Stream Cloud', billingCurrency: 'EUR' });
  });

  it('refuses a form without a file and invalid default fields, recording nothing', async () => {
    const { db, url } = await createTestDatabase();
    const admin = await db.user.create({ data: { email: 'stream-admin2@t.test', name: 'Admin' } });
    const options = { importedById: admin.id, audit: auditContext(SYSTEM_ACTOR) };
    const noFile = new FormData();
    noFile.append('providerName', 'x');
    await expect(startStreamedImport(db, url, upload(noFile), options)).rejects.toMatchObject({ issues: [expect.objectContaining({ field: 'file' })] });
    const badCurrency = new FormData();
    badCurrency.append('file', new Blob([csv]), 'x.csv');
    badCurrency.append('billingCurrency', 'dollars');
    await expect(startStreamedImport(db, url, upload(badCurrency), options)).rejects.toBeInstanceOf(ValidationError);
    expect(await db.costImport.count()).toBe(0);
  });
});
