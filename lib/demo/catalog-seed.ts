// The demo catalog and price book, seeded at every start (idempotent). A demo template is created
// through the catalog service (version 1); a later start brings it up to today's demo definition as
// a new version only while nobody has edited it (its current version has no author), so an admin's
// changes are never overwritten.
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { createTemplate, updateTemplate } from '../catalog/templates';
import type { Db } from '../db/client';
import { DEMO_RATES, DEMO_TEMPLATES, VSPHERE_CHARGEBACK } from './catalog-data';

export async function seedDemoCatalog(db: Db): Promise<void> {
  const audit = auditContext(SYSTEM_ACTOR);
  for (const definition of DEMO_TEMPLATES) {
    const existing = await db.catalogTemplate.findUnique({
      where: { slug: definition.slug },
      select: { id: true, currentVersionRef: { select: { createdById: true } } },
    });
    if (!existing) {
      await createTemplate(db, { ...definition, changelog: 'Demo catalog' }, audit);
    } else if (existing.currentVersionRef && existing.currentVersionRef.createdById === null) {
      const { slug: _slug, ...change } = definition;
      await updateTemplate(db, existing.id, { ...change, changelog: 'Demo catalog: sizes, all providers, environment parameter' }, audit);
    }
  }

  let priceBook = await db.priceBook.findFirst({ where: { name: 'List prices (demo)' } });
  priceBook ??= await db.priceBook.create({
    data: { name: 'List prices (demo)', source: 'list', effectiveFrom: new Date(Date.UTC(2026, 0, 1)) },
  });
  for (const rate of [...DEMO_RATES, ...VSPHERE_CHARGEBACK]) {
    const key = { priceBookId: priceBook.id, providerKind: rate.providerKind, regionCode: rate.regionCode ?? '*', sku: rate.sku, unit: rate.unit };
    await db.rate.upsert({
      where: { priceBookId_providerKind_regionCode_sku_unit: key },
      create: { ...key, unitPrice: rate.unitPrice },
      update: {},
    });
  }
}
