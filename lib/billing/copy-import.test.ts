// The COPY fast path must store exactly what the row-by-row path stores, and hand every file its
// SQL grammar does not accept back to that path (which then imports or rejects it).
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { costImportFixture } from './import-test-fixture';

const fixture = costImportFixture('skyport-copy-');
const { run, write } = fixture;

const HEADER =
  '\uFEFFbillingaccountid,BILLINGPERIODSTART,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeFrequency,BilledCost,EffectiveCost,ListUnitPrice,BillingCurrency,ProviderName,RegionId,RegionName,ResourceId,ServiceCategory,ServiceName,Tags,x_Custom,x_Empty';
const row = (account: string, resource: string, billed: string, tags = '"{"" project"": ""shop"", ""env"": ""prod""}"') =>
  `${account},2024-09-01 00:00:00,2024-10-01T00:00:00Z,2024-09-02T00:00:00.125Z,2024-09-02 01:00:00,usage,usage-based,"${billed}",${billed},0.5, usd ,Copy Cloud,NULL,West Europe, ${resource} ,Compute,VMs,${tags},"hello, ""world""",NULL`;

/** Every stored column except the ones that name the import (id, importId, createdAt). */
async function stored(importId: string) {
  const rows = await fixture.db.costRecord.findMany({ where: { importId }, orderBy: [{ resourceId: 'asc' }, { billedCost: 'asc' }] });
  return rows.map(({ id: _id, importId: _importId, ...rest }) => JSON.parse(JSON.stringify(rest)) as unknown);
}

describe('COPY fast path', () => {
  it('stores the same rows as the row-by-row path (nulls, trims, tags, extra, links, gzip)', async () => {
    const owner = await fixture.db.user.create({ data: { email: 'copy-owner@t.test', name: 'Owner' } });
    const project = await fixture.db.project.create({ data: { key: 'shop', name: 'Shop', costCentre: 'CC-1', ownerId: owner.id } });
    const account = await fixture.db.providerAccount.create({ data: { name: 'aws-copy', kind: 'aws', settings: {}, secretsCiphertext: 'none' } });
    const vm = await fixture.db.vm.create({
      data: { providerAccountId: account.id, providerKind: 'aws', regionCode: 'eu-west-1', providerId: 'i-0copy', name: 'web', size: 't3.micro' },
    });
    const lines = (acc: string) => [
      HEADER,
      row(acc, 'arn:aws:ec2:eu-west-1:1:instance/i-0copy', '1.125', 'NULL'),
      row(acc, 'vol-1', '2.0000000001'),
      row(acc, 'vol-2', '-3', '"not json"'),
      row(acc, 'vol-3', '.5', ''),
    ];
    const viaRows = await run(await write('rows.csv', lines('ACC-R').join('\r\n') + '\r\n'), { engine: 'rows' });
    const viaCopy = await run(await write('copy.csv.gz', gzipSync(lines('ACC-C').join('\r\n') + '\r\n')));
    expect(viaRows).toMatchObject({ status: 'succeeded', engine: 'rows' });
    expect(viaCopy, viaCopy.fallbackReason).toMatchObject({ status: 'succeeded', engine: 'copy', rowCount: 4 });
    expect(viaCopy.periods).toEqual([expect.objectContaining({ month: '2024-09-01', providerName: 'Copy Cloud', billingAccountId: 'ACC-C', rows: 4, replacedRows: 0 })]);
    const a = await stored(viaRows.importId);
    const b = await stored(viaCopy.importId);
    const sameAccount = (rows: unknown[]) => JSON.parse(JSON.stringify(rows).replaceAll('ACC-R', 'X').replaceAll('ACC-C', 'X').replace(/"scopeKey":"[0-9a-f]+"/g, '"scopeKey":"s"')) as unknown;
    expect(sameAccount(b)).toEqual(sameAccount(a));
    const linked = await fixture.db.costRecord.findFirst({ where: { importId: viaCopy.importId, vmId: vm.id } });
    expect(linked).toMatchObject({ providerAccountId: account.id, billingCurrency: 'USD', chargeFrequency: 'Usage-Based', regionId: null });
    expect(linked?.extra).toEqual({ x_Custom: 'hello, "world"' });
    const tagged = await fixture.db.costRecord.findFirst({ where: { importId: viaCopy.importId, resourceId: 'vol-1' } });
    expect(tagged).toMatchObject({ projectId: project.id, tags: { project: 'shop', env: 'prod' } });
    const invalid = await fixture.db.costRecord.findFirst({ where: { importId: viaCopy.importId, resourceId: 'vol-2' } });
    expect(invalid?.extra).toMatchObject({ 'Tags(invalid)': 'not json' });
    const rollup = await fixture.db.$queryRaw<{ s: string }[]>`SELECT sum("billedCost")::text AS s FROM "CostDailyRollup" WHERE "scopeKey" = (SELECT DISTINCT "scopeKey" FROM "CostRecord" WHERE "importId" = ${viaCopy.importId})`;
    expect(rollup[0]!.s).toMatch(/^0\.6250000001(0*)$/);
  });

  it('hands files outside its grammar to the row path, which imports or rejects them', async () => {
    const money = await run(await write('money.csv', [HEADER, row('ACC-M', 'm-1', '1').replace('"1",1', '"$10,000.00 ","$10,000.00 "')].join('\n')));
    expect(money).toMatchObject({ status: 'succeeded', engine: 'rows' });
    expect(money.fallbackReason).toMatch(/row 2: BilledCost/);
    const badDate = await run(await write('bad.csv', [HEADER, row('ACC-B', 'b-1', '1'), row('ACC-B', 'b-2', '1').replace('2024-09-02 01:00:00', '2024-09-31 01:00:00')].join('\n')));
    expect(badDate).toMatchObject({ status: 'failed', engine: 'rows' });
    expect(badDate.errors[0]).toMatchObject({ row: 3, column: 'ChargePeriodEnd', value: '2024-09-31 01:00:00' });
    const ragged = await run(await write('ragged.csv', [HEADER, row('ACC-G', 'g-1', '1') + ',extra'].join('\n')));
    expect(ragged).toMatchObject({ status: 'failed', engine: 'rows' });
    expect(ragged.fallbackReason).toMatch(/^COPY/);
    const stages = await fixture.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_class WHERE (relname LIKE 'CostRecord_stage_%' OR relname LIKE 'CostRaw_%' OR relname LIKE 'CostLink_%') AND relkind = 'r'`;
    expect(Number(stages[0]!.n)).toBe(0);
  });
});
