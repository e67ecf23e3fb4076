// Existing installations: templates saved in the earlier single-size shape are rewritten by the
// catalog migration into full definitions, and the demo seed then brings unedited demo templates
// up to today's demo catalog as a new version (an admin-edited one is left alone).
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { auditContext } from '../audit/record';
import { getTemplateDefinition, updateTemplate } from '../catalog/templates';
import { createTestDatabase } from '../testing/db';
import { seedDemoCatalog } from './catalog-seed';

const MIGRATION = path.join(process.cwd(), 'prisma/migrations/20261201215000_catalog_template_definitions/migration.sql');

describe('catalog migration and demo upgrade', () => {
  it('rewrites legacy snapshots, then upgrades unedited demo templates only', async () => {
    const { db, url } = await createTestDatabase();
    const admin = await db.user.create({ data: { email: 'a@t.test', name: 'A', roles: ['admin'] } });
    const legacy = async (slug: string) => {
      const t = await db.catalogTemplate.create({ data: { slug, name: slug, os: 'Ubuntu', vcpus: 2, memoryMiB: 4096, diskGiB: 40, defaultLeaseDays: 90 } });
      await db.templateMapping.create({ data: { templateId: t.id, providerKind: 'aws', size: 't3.medium', image: 'ami-x' } });
      await db.catalogTemplateVersion.create({ data: { templateId: t.id, version: 1, snapshot: { slug, vcpus: 2, mappings: { aws: { size: 't3.medium', image: 'ami-x' } } } } });
      return t.id;
    };
    const web = await legacy('linux-web-small');
    const custom = await legacy('my-own');
    const archived = await legacy('windows-server-small');
    await db.catalogTemplate.update({ where: { id: archived }, data: { active: false } });

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(fs.readFileSync(MIGRATION, 'utf8'));
    } finally {
      await client.end();
    }
    const migrated = await getTemplateDefinition(db, custom);
    expect(migrated.definition).toMatchObject({
      slug: 'my-own',
      sizes: [{ name: 'standard', vcpus: 2, memoryMiB: 4096, diskGiB: 40 }],
      mappings: [{ providerKind: 'aws', regionCode: '*', instanceTypes: { standard: 't3.medium' }, image: 'ami-x' }],
      defaultLeaseDays: 90,
      parameters: [],
    });
    expect((await db.catalogTemplate.findUniqueOrThrow({ where: { id: custom } })).currentVersionId).toBe(migrated.versionId);
    expect((await getTemplateDefinition(db, archived)).archived).toBe(true);

    // An admin edits the Windows template; the seed must not overwrite it.
    await updateTemplate(db, archived, { description: 'Ours now' }, auditContext({ type: 'user', id: admin.id, label: admin.email }));
    await seedDemoCatalog(db);
    const upgraded = await getTemplateDefinition(db, web);
    expect(upgraded.version).toBe(2);
    expect(upgraded.definition.sizes.map((s) => s.name)).toEqual(['small', 'medium', 'large']);
    expect((await getTemplateDefinition(db, web, 1)).definition.sizes[0]!.name).toBe('standard');
    expect((await getTemplateDefinition(db, archived)).definition.description).toBe('Ours now');
    expect(await db.catalogTemplate.count({ where: { slug: { in: ['linux-app-medium', 'database-large'] } } })).toBe(2);
    // Idempotent: a second start makes no new versions.
    const versions = await db.catalogTemplateVersion.count();
    await seedDemoCatalog(db);
    expect(await db.catalogTemplateVersion.count()).toBe(versions);
  });
});
