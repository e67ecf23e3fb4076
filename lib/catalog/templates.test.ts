import { beforeAll, describe, expect, it } from 'vitest';
import { auditContext } from '../audit/record';
import type { Db } from '../db/client';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { createTestDatabase } from '../testing/db';
import { upsertInstanceTypes } from './instance-types';
import { parseParameterValues } from './parameters';
import type { CreateTemplateInput } from './schemas';
import { createTemplate, diffDefinitions, getTemplate, getTemplateDefinition, listTemplates, templateHistory, updateTemplate } from './templates';

let db: Db;
let adminId: string;
const audit = () => auditContext({ type: 'user', id: adminId, label: 'admin@t.test' });

const base = (slug: string): CreateTemplateInput => ({
  slug,
  name: 'Web server',
  description: 'nginx',
  category: 'Web',
  os: 'Ubuntu',
  sizes: [
    { name: 'small', vcpus: 2, memoryMiB: 4096, diskGiB: 40 },
    { name: 'large', vcpus: 4, memoryMiB: 16384, diskGiB: 80 },
  ],
  mappings: [
    { providerKind: 'aws', regionCode: '*', instanceTypes: { small: 't3.medium', large: 'm5.xlarge' }, image: 'ami-name' },
    { providerKind: 'gcp', regionCode: 'europe-west1', instanceTypes: { small: 'e2-medium' }, image: 'debian-12' },
  ],
  defaultLeaseDays: 30,
  maxLeaseDays: 90,
  parameters: [{ name: 'environment', label: 'Environment', type: 'enum', required: true, options: ['dev', 'test', 'prod'], default: 'dev' }],
});

/** The field paths of a ValidationError thrown by `run`. */
async function fieldsOf(run: () => Promise<unknown>): Promise<string[]> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((i) => i.field);
    throw error;
  }
  throw new Error('expected a ValidationError');
}

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  adminId = (await db.user.create({ data: { email: 'admin@t.test', name: 'Admin', roles: ['admin'] } })).id;
});

describe('template versions', () => {
  it('creates version 1 with the full definition, listing columns, mappings and an audit row', async () => {
    const view = await createTemplate(db, base('web'), audit());
    expect(view).toMatchObject({ version: 1, currentVersion: 1, archived: false });
    expect(view.definition.sizes.map((s) => s.name)).toEqual(['small', 'large']);
    expect(view.definition.allowedProviderKinds).toEqual([]);
    expect(view.versions).toEqual([expect.objectContaining({ version: 1, createdBy: 'admin@t.test' })]);
    const row = await db.catalogTemplate.findUniqueOrThrow({ where: { id: view.id }, include: { mappings: { orderBy: { providerKind: 'asc' } } } });
    expect(row).toMatchObject({ vcpus: 2, memoryMiB: 4096, diskGiB: 40, defaultLeaseDays: 30, maxLeaseDays: 90, currentVersionId: view.versionId });
    expect(row.mappings.map((m) => [m.providerKind, m.regionCode, m.size])).toEqual([['aws', '*', 't3.medium'], ['gcp', 'europe-west1', 'e2-medium']]);
    expect(await db.auditEvent.count({ where: { action: 'catalog.template.create', targetId: view.id } })).toBe(1);
  });

  it('every change makes a new immutable version; old versions and a request’s version stay as they were', async () => {
    const created = await createTemplate(db, base('versioned'), audit());
    const project = await db.project.create({ data: { key: 'p1', name: 'P1', costCentre: 'C', ownerId: adminId } });
    const account = await db.providerAccount.create({ data: { kind: 'aws', name: 'aws-1', settings: {}, secretsCiphertext: 'x' } });
    const request = await db.request.create({ data: { requesterId: adminId, projectId: project.id } });
    const item = await db.requestItem.create({
      data: {
        requestId: request.id, templateVersionId: created.versionId, providerAccountId: account.id, regionCode: 'us-east-1', size: 'small',
        image: 'ami-name', name: 'vm', vcpus: 2, memoryMiB: 4096, diskGiB: 40, estimatedMonthlyCost: '30.37',
      },
    });

    const v2 = await updateTemplate(db, created.id, { name: 'Web server v2', changelog: 'Rename', expectedVersion: 1 }, audit());
    expect(v2).toMatchObject({ version: 2, currentVersion: 2 });
    expect(v2.definition.name).toBe('Web server v2');
    const v3 = await updateTemplate(db, created.id, { sizes: [{ name: 'small', vcpus: 2, memoryMiB: 8192, diskGiB: 40 }], mappings: [{ providerKind: 'aws', regionCode: '*', instanceTypes: { small: 'm5.large' }, image: 'ami-name' }] }, audit());
    expect(v3.version).toBe(3);

    const v1 = await getTemplateDefinition(db, created.id, 1);
    expect(v1.definition.name).toBe('Web server');
    expect(v1.definition.sizes).toHaveLength(2);
    // The request item still points at version 1 and resolves to exactly what was requested.
    const kept = await db.requestItem.findUniqueOrThrow({ where: { id: item.id }, include: { templateVersion: true } });
    expect(kept.templateVersion.version).toBe(1);
    expect((await getTemplate(db, created.id, 1)).definition.sizes[1]!.name).toBe('large');
    expect((await getTemplateDefinition(db, 'versioned')).version).toBe(3);

    // No change → no version; a stale expectedVersion → 409.
    expect((await updateTemplate(db, created.id, { name: 'Web server v2' }, audit())).version).toBe(3);
    await expect(updateTemplate(db, created.id, { name: 'Again', expectedVersion: 1 }, audit())).rejects.toBeInstanceOf(ConflictError);

    const history = await templateHistory(db, created.id);
    expect(history.map((h) => h.version)).toEqual([3, 2, 1]);
    expect(history[1]!.changes).toEqual([{ path: 'name', before: 'Web server', after: 'Web server v2' }]);
    expect(history[0]!.changes.map((c) => c.path)).toEqual(expect.arrayContaining(['sizes/small/memoryMiB', 'sizes/large', 'mappings/aws:*/instanceTypes/small', 'mappings/gcp:europe-west1']));
    const row = await db.catalogTemplate.findUniqueOrThrow({ where: { id: created.id }, include: { mappings: true } });
    expect(row).toMatchObject({ name: 'Web server v2', memoryMiB: 8192, currentVersion: 3 });
    expect(row.mappings.map((m) => m.size)).toEqual(['m5.large']);
  });

  it('concurrent edits get consecutive versions, never a clash', async () => {
    const created = await createTemplate(db, base('concurrent'), audit());
    const results = await Promise.all([1, 2, 3, 4].map((n) => updateTemplate(db, created.id, { description: `edit ${n}` }, audit())));
    expect(results.map((r) => r.version).sort()).toEqual([2, 3, 4, 5]);
    expect(await db.catalogTemplateVersion.count({ where: { templateId: created.id } })).toBe(5);
  });

  it('archives and restores without a new version; archived templates leave the active list', async () => {
    const created = await createTemplate(db, base('archivable'), audit());
    const archived = await updateTemplate(db, created.id, { archived: true }, audit());
    expect(archived).toMatchObject({ archived: true, currentVersion: 1 });
    expect(archived.archivedAt).not.toBeNull();
    expect((await listTemplates(db, { q: 'archivable' })).items).toEqual([]);
    expect((await listTemplates(db, { q: 'archivable', status: 'archived' })).items.map((t) => t.slug)).toEqual(['archivable']);
    expect((await getTemplateDefinition(db, created.id)).archived).toBe(true);
    const restored = await updateTemplate(db, created.id, { archived: false }, audit());
    expect(restored.archived).toBe(false);
    expect(await db.auditEvent.count({ where: { targetId: created.id, action: { in: ['catalog.template.archive', 'catalog.template.restore'] } } })).toBe(2);
  });

  it('lists with filters, sort and paging', async () => {
    const all = await listTemplates(db, { status: 'all', pageSize: 2, sort: 'name' });
    expect(all.total).toBeGreaterThanOrEqual(4);
    expect(all.items).toHaveLength(2);
    const gcp = await listTemplates(db, { provider: 'gcp', status: 'all' });
    expect(gcp.items.every((t) => t.providerKinds.includes('gcp'))).toBe(true);
    expect(gcp.items.find((t) => t.slug === 'web')).toMatchObject({ providerKinds: ['aws', 'gcp'], sizes: ['small', 'large'] });
    expect(all.categories).toEqual(['Web']);
    await expect(getTemplate(db, 'nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(getTemplateDefinition(db, (await listTemplates(db, { q: 'web' })).items[0]!.id, 99)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('template validation', () => {
  it('refuses a duplicate slug with 409', async () => {
    await expect(createTemplate(db, base('web'), audit())).rejects.toBeInstanceOf(ConflictError);
  });

  it('refuses bad mappings and sizes without a mapping, naming each field', async () => {
    const input = base('bad-mappings');
    input.sizes = [...input.sizes, { name: 'huge', vcpus: 64, memoryMiB: 262144, diskGiB: 100 }, { name: 'small', vcpus: 1, memoryMiB: 1024, diskGiB: 10 }];
    input.mappings = [
      { providerKind: 'aws', regionCode: '*', instanceTypes: { small: 't3.medium', tiny: 't3.micro' }, image: 'ami' },
      { providerKind: 'aws', regionCode: '*', instanceTypes: { small: 't3.small' }, image: '' },
      { providerKind: 'azure', regionCode: '*', instanceTypes: {}, image: 'x' },
    ];
    input.allowedProviderKinds = ['gcp'];
    input.allowedRegions = ['vsphere:dc1', 'not-a-region'];
    const fields = await fieldsOf(() => createTemplate(db, input, audit()));
    expect(fields).toEqual(expect.arrayContaining([
      'body/sizes/3/name', // duplicate size name
      'body/sizes/2/name', // "huge" has no instance type anywhere
      'body/mappings/0/instanceTypes/tiny', // not a size of the template
      'body/mappings/1/regionCode', // aws * mapped twice
      'body/mappings/1/image',
      'body/mappings/2/instanceTypes',
      'body/allowedProviderKinds/0', // gcp allowed but unmapped
      'body/allowedRegions/0',
      'body/allowedRegions/1',
    ]));
    expect(await db.catalogTemplate.count({ where: { slug: 'bad-mappings' } })).toBe(0);
  });

  it('refuses parameter definitions outside their limits and lease inconsistencies', async () => {
    const input = base('bad-params');
    input.defaultLeaseDays = 120;
    input.maxLeaseDays = 90;
    input.parameters = [
      { name: 'count', label: 'Count', type: 'number', required: false, min: 10, max: 5 },
      { name: 'tier', label: 'Tier', type: 'enum', required: false, options: [] },
      { name: 'env', label: 'Env', type: 'enum', required: false, options: ['a', 'a'] },
      { name: 'code', label: 'Code', type: 'string', required: false, pattern: '([', maxLength: 5, default: 'too long value' },
      { name: 'n', label: 'N', type: 'number', required: false, min: 1, max: 3, default: 9 },
      { name: 'count', label: 'Dup', type: 'boolean', required: false, default: 'yes' },
      { name: '9bad', label: 'Bad', type: 'string', required: false },
    ];
    const fields = await fieldsOf(() => createTemplate(db, input, audit()));
    expect(fields).toEqual(expect.arrayContaining([
      'body/defaultLeaseDays',
      'body/parameters/0/max',
      'body/parameters/1/options',
      'body/parameters/2/options',
      'body/parameters/3/pattern',
      'body/parameters/3/default',
      'body/parameters/4/default',
      'body/parameters/5/name',
      'body/parameters/5/default',
      'body/parameters/6/name',
    ]));
  });

  it('refuses instance types the provider does not offer once its sizes are known, and unknown projects', async () => {
    await upsertInstanceTypes(db, 'aws', 'us-east-1', [{ id: 't3.medium', name: 't3.medium', vcpus: 2, memoryMiB: 4096 }]);
    const input = base('unknown-type');
    input.allowedProjectIds = ['no-such-project'];
    const fields = await fieldsOf(() => createTemplate(db, input, audit()));
    expect(fields).toEqual(['body/allowedProjectIds/0', 'body/mappings/0/instanceTypes/large']);
    await db.instanceType.deleteMany({});
  });

  it('re-validates the merged definition on update', async () => {
    const created = await createTemplate(db, base('update-checks'), audit());
    const fields = await fieldsOf(() => updateTemplate(db, created.id, { sizes: [{ name: 'other', vcpus: 1, memoryMiB: 1024, diskGiB: 10 }] }, audit()));
    expect(fields).toEqual(expect.arrayContaining(['body/sizes/0/name', 'body/mappings/0/instanceTypes/small']));
    expect((await getTemplate(db, created.id)).currentVersion).toBe(1);
  });
});

describe('parameter values', () => {
  const parameters = [
    { name: 'environment', label: 'Environment', type: 'enum' as const, required: true, options: ['dev', 'test', 'prod'] },
    { name: 'heap', label: 'Heap', type: 'number' as const, required: false, min: 256, max: 4096, default: 1024 },
    { name: 'prefix', label: 'Prefix', type: 'string' as const, required: false, maxLength: 5, pattern: '[a-z]+' },
    { name: 'backups', label: 'Backups', type: 'boolean' as const, required: false, default: true },
  ];

  it('fills defaults, coerces form strings and checks limits', () => {
    expect(parseParameterValues(parameters, { environment: 'prod', heap: '2048', backups: 'false' })).toEqual({ values: { environment: 'prod', heap: 2048, backups: false }, issues: [] });
    const bad = parseParameterValues(parameters, { environment: 'staging', heap: 99999, prefix: 'ABCDEFG', extra: 1 });
    expect(bad.issues.map((i) => i.field).sort()).toEqual(['body/parameters/environment', 'body/parameters/extra', 'body/parameters/heap', 'body/parameters/prefix']);
    expect(parseParameterValues(parameters, {}).issues).toEqual([{ field: 'body/parameters/environment', message: 'Environment is required.' }]);
  });
});

describe('diffDefinitions', () => {
  it('names changes by size, mapping and parameter rather than array index', () => {
    const a = { ...base('x'), description: '', allowedProviderKinds: [], allowedRegions: [], allowedProjectIds: [], defaultLeaseDays: null, maxLeaseDays: null, parameters: [] } as never;
    const b = { ...(a as object), parameters: [{ name: 'environment', label: 'Env', type: 'boolean', required: false }] } as never;
    expect(diffDefinitions(a, b)).toEqual([{ path: 'parameters/environment', before: null, after: { name: 'environment', label: 'Env', type: 'boolean', required: false } }]);
  });
});
