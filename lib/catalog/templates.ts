// Catalog templates: create, change (every change = a new immutable version), archive/restore,
// read (any version) and list. A version's snapshot is the whole TemplateDefinition; the
// CatalogTemplate row and its TemplateMapping rows are listing columns kept in step with the
// current version in the same transaction. Requests point at a version id, so a later edit never
// changes what a request (or its approver) saw.
import type { Prisma } from '@/generated/prisma/client';
import type { ProviderKind } from '@/generated/prisma/enums';
import { recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { ConflictError, fieldIssuesFromZod, NotFoundError, ValidationError, type FieldIssue } from '../errors';
import { BODY, parseInput } from '../validation/input';
import {
  createTemplateSchema,
  listTemplatesQuerySchema,
  templateDefinitionSchema,
  updateTemplateSchema,
  type ListTemplatesQuery,
  type TemplateDefinition,
  type TemplateList,
  type TemplateView,
} from './schemas';

export type Tx = Prisma.TransactionClient | Db;

/** Runs `fn` in a transaction, or inside the caller's when `db` already is one. */
export async function inTransaction<T>(db: Tx, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return '$transaction' in db ? (db as Db).$transaction(fn) : fn(db);
}

/** The stored snapshot as a definition. Snapshots were validated when written (or migrated). */
export function definitionFromSnapshot(snapshot: Prisma.JsonValue): TemplateDefinition {
  const parsed = templateDefinitionSchema.safeParse(snapshot);
  if (parsed.success) return parsed.data;
  // A snapshot that no longer passes today's rules (e.g. a limit tightened later) is still what
  // the version was; show it as stored rather than failing the read.
  return snapshot as unknown as TemplateDefinition;
}

function listingColumns(d: TemplateDefinition) {
  const first = d.sizes[0]!;
  return {
    name: d.name,
    description: d.description,
    category: d.category,
    os: d.os,
    vcpus: first.vcpus,
    memoryMiB: first.memoryMiB,
    diskGiB: first.diskGiB,
    defaultLeaseDays: d.defaultLeaseDays,
    maxLeaseDays: d.maxLeaseDays,
  };
}

async function replaceMappings(tx: Prisma.TransactionClient, templateId: string, d: TemplateDefinition) {
  await tx.templateMapping.deleteMany({ where: { templateId } });
  const firstSize = d.sizes[0]!.name;
  await tx.templateMapping.createMany({
    data: d.mappings.map((m) => ({
      templateId,
      providerKind: m.providerKind,
      regionCode: m.regionCode,
      size: m.instanceTypes[firstSize] ?? '',
      image: m.image,
      instanceTypes: m.instanceTypes,
    })),
  });
}

/**
 * Checks that need the database: allowed projects exist, and every cloud instance type is one the
 * provider offers (only for provider kinds whose sizes are known from an adapter's listSizes).
 */
async function checkAgainstDatabase(tx: Prisma.TransactionClient, d: TemplateDefinition): Promise<void> {
  const issues: FieldIssue[] = [];
  if (d.allowedProjectIds.length) {
    const found = new Set((await tx.project.findMany({ where: { id: { in: d.allowedProjectIds } }, select: { id: true } })).map((p) => p.id));
    d.allowedProjectIds.forEach((id, i) => {
      if (!found.has(id)) issues.push({ field: `${BODY}/allowedProjectIds/${i}`, message: `No project with id ${id}.` });
    });
  }
  const kinds = [...new Set(d.mappings.map((m) => m.providerKind))];
  const known = await tx.instanceType.findMany({ where: { providerKind: { in: kinds } }, select: { providerKind: true, name: true } });
  const byKind = new Map<ProviderKind, Set<string>>();
  for (const t of known) {
    if (!byKind.has(t.providerKind)) byKind.set(t.providerKind, new Set());
    byKind.get(t.providerKind)!.add(t.name);
  }
  d.mappings.forEach((m, i) => {
    const offered = byKind.get(m.providerKind);
    if (!offered) return;
    for (const [size, type] of Object.entries(m.instanceTypes)) {
      if (!offered.has(type)) {
        issues.push({ field: `${BODY}/mappings/${i}/instanceTypes/${size}`, message: `${type} is not an instance type ${m.providerKind} offers.` });
      }
    }
  });
  if (issues.length) throw new ValidationError(issues);
}

function actorUserId(audit: AuditContext): string | null {
  return audit.actor.type === 'system' ? null : (audit.actor.id ?? null);
}

export async function createTemplate(db: Tx, input: unknown, audit: AuditContext): Promise<TemplateView> {
  const { changelog, ...definition } = parseInput(createTemplateSchema, input);
  const id = await inTransaction(db, async (tx) => {
    if (await tx.catalogTemplate.findUnique({ where: { slug: definition.slug }, select: { id: true } })) {
      throw new ConflictError(`A template with the slug "${definition.slug}" already exists.`);
    }
    await checkAgainstDatabase(tx, definition);
    const template = await tx.catalogTemplate.create({
      data: { slug: definition.slug, ...listingColumns(definition), currentVersion: 1 },
    });
    const version = await tx.catalogTemplateVersion.create({
      data: { templateId: template.id, version: 1, snapshot: definition, changelog: changelog || 'Created', createdById: actorUserId(audit) },
    });
    await tx.catalogTemplate.update({ where: { id: template.id }, data: { currentVersionId: version.id } });
    await replaceMappings(tx, template.id, definition);
    await recordAudit(tx, audit, { action: 'catalog.template.create', targetType: 'catalog_template', targetId: template.id, after: { version: 1, definition } });
    return template.id;
  });
  return getTemplate(db, id);
}

/** Deep equality for JSON-like values (definitions), key order ignored. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Applies a partial change. A changed definition becomes version n+1 (the row is locked, so two
 * concurrent edits get n+1 and n+2, never a clash); `archived` archives or restores without a new
 * version; an unchanged definition makes no version. `expectedVersion` refuses stale edits (409).
 */
export async function updateTemplate(db: Tx, templateId: string, input: unknown, audit: AuditContext): Promise<TemplateView> {
  const { archived, changelog, expectedVersion, ...patch } = parseInput(updateTemplateSchema, input);
  await inTransaction(db, async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "CatalogTemplate" WHERE id = ${templateId} FOR UPDATE`;
    if (locked.length === 0) throw new NotFoundError('Template');
    const template = await tx.catalogTemplate.findUniqueOrThrow({ where: { id: templateId }, include: { currentVersionRef: true } });
    if (expectedVersion !== undefined && expectedVersion !== template.currentVersion) {
      throw new ConflictError(`The template changed meanwhile: it is at version ${template.currentVersion}, not ${expectedVersion}. Reload and apply your change again.`);
    }
    const current = definitionFromSnapshot(template.currentVersionRef?.snapshot ?? null);
    const merged = Object.fromEntries(Object.entries({ ...current, ...patch }).filter(([, v]) => v !== undefined));
    const parsed = templateDefinitionSchema.safeParse(merged);
    if (!parsed.success) throw new ValidationError(fieldIssuesFromZod(parsed.error, BODY));
    const next = parsed.data;
    if (!sameJson(next, current)) {
      await checkAgainstDatabase(tx, next);
      const versionNumber = template.currentVersion + 1;
      const version = await tx.catalogTemplateVersion.create({
        data: { templateId, version: versionNumber, snapshot: next, changelog: changelog ?? '', createdById: actorUserId(audit) },
      });
      await tx.catalogTemplate.update({
        where: { id: templateId },
        data: { ...listingColumns(next), currentVersion: versionNumber, currentVersionId: version.id },
      });
      await replaceMappings(tx, templateId, next);
      await recordAudit(tx, audit, {
        action: 'catalog.template.update',
        targetType: 'catalog_template',
        targetId: templateId,
        before: { version: template.currentVersion },
        after: { version: versionNumber, changes: diffDefinitions(current, next).map((c) => c.path) },
      });
    }
    if (archived !== undefined && archived !== (template.archivedAt !== null)) {
      await tx.catalogTemplate.update({
        where: { id: templateId },
        data: archived ? { archivedAt: new Date(), active: false } : { archivedAt: null, active: true },
      });
      await recordAudit(tx, audit, { action: archived ? 'catalog.template.archive' : 'catalog.template.restore', targetType: 'catalog_template', targetId: templateId });
    }
  });
  return getTemplate(db, templateId);
}

export async function archiveTemplate(db: Tx, templateId: string, audit: AuditContext) {
  return updateTemplate(db, templateId, { archived: true }, audit);
}

export async function restoreTemplate(db: Tx, templateId: string, audit: AuditContext) {
  return updateTemplate(db, templateId, { archived: false }, audit);
}

/**
 * The definition of one template version (default: current), for the request form and request
 * creation. `templateId` may also be the slug. Archived templates are returned (flagged) so
 * existing requests still resolve; callers refuse new requests for them.
 */
export async function getTemplateDefinition(
  db: Tx,
  templateId: string,
  version?: number,
): Promise<{ templateId: string; versionId: string; version: number; archived: boolean; definition: TemplateDefinition }> {
  const template = await db.catalogTemplate.findFirst({
    where: { OR: [{ id: templateId }, { slug: templateId }] },
    select: { id: true, archivedAt: true, currentVersion: true },
  });
  if (!template) throw new NotFoundError('Template');
  const row = await db.catalogTemplateVersion.findUnique({
    where: { templateId_version: { templateId: template.id, version: version ?? template.currentVersion } },
  });
  if (!row) throw new NotFoundError(`Version ${version} of the template`);
  return { templateId: template.id, versionId: row.id, version: row.version, archived: template.archivedAt !== null, definition: definitionFromSnapshot(row.snapshot) };
}

/** The definition a request item was made from, by its version id. */
export async function getTemplateVersionById(db: Tx, versionId: string) {
  const row = await db.catalogTemplateVersion.findUnique({ where: { id: versionId } });
  if (!row) throw new NotFoundError('Template version');
  return { templateId: row.templateId, versionId: row.id, version: row.version, definition: definitionFromSnapshot(row.snapshot) };
}

export async function getTemplate(db: Tx, templateId: string, version?: number): Promise<TemplateView> {
  const { templateId: id, versionId, version: shown, archived, definition } = await getTemplateDefinition(db, templateId, version);
  const [template, versions] = await Promise.all([
    db.catalogTemplate.findUniqueOrThrow({ where: { id } }),
    db.catalogTemplateVersion.findMany({
      where: { templateId: id },
      orderBy: { version: 'desc' },
      select: { version: true, changelog: true, createdAt: true, createdBy: { select: { email: true } } },
      take: 200,
    }),
  ]);
  return {
    id,
    versionId,
    version: shown,
    currentVersion: template.currentVersion,
    archived,
    archivedAt: template.archivedAt?.toISOString() ?? null,
    createdAt: template.createdAt.toISOString(),
    updatedAt: template.updatedAt.toISOString(),
    definition,
    versions: versions.map((v) => ({ version: v.version, changelog: v.changelog, createdAt: v.createdAt.toISOString(), createdBy: v.createdBy?.email ?? null })),
  };
}

export async function listTemplates(db: Tx, rawQuery: Partial<ListTemplatesQuery> | Record<string, unknown> = {}): Promise<TemplateList> {
  const query = parseInput(listTemplatesQuerySchema, rawQuery, 'query');
  const where: Prisma.CatalogTemplateWhereInput = {
    ...(query.status === 'active' ? { archivedAt: null } : query.status === 'archived' ? { archivedAt: { not: null } } : {}),
    ...(query.category ? { category: query.category } : {}),
    ...(query.provider ? { mappings: { some: { providerKind: query.provider } } } : {}),
    ...(query.q
      ? { OR: [{ name: { contains: query.q, mode: 'insensitive' } }, { slug: { contains: query.q, mode: 'insensitive' } }, { os: { contains: query.q, mode: 'insensitive' } }] }
      : {}),
  };
  const sortField = query.sort === 'version' ? 'currentVersion' : query.sort;
  const [rows, total, categories] = await Promise.all([
    db.catalogTemplate.findMany({
      where,
      orderBy: [{ [sortField]: query.dir }, { id: 'asc' }],
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
      include: { mappings: { select: { providerKind: true } }, currentVersionRef: { select: { snapshot: true } } },
    }),
    db.catalogTemplate.count({ where }),
    db.catalogTemplate.findMany({ distinct: ['category'], select: { category: true }, orderBy: { category: 'asc' } }),
  ]);
  const order: ProviderKind[] = ['vsphere', 'aws', 'azure', 'gcp'];
  return {
    items: rows.map((t) => ({
      id: t.id,
      slug: t.slug,
      name: t.name,
      category: t.category,
      os: t.os,
      currentVersion: t.currentVersion,
      archived: t.archivedAt !== null,
      providerKinds: order.filter((k) => t.mappings.some((m) => m.providerKind === k)),
      sizes: t.currentVersionRef ? (definitionFromSnapshot(t.currentVersionRef.snapshot).sizes ?? []).map((s) => s.name) : [],
      updatedAt: t.updatedAt.toISOString(),
    })),
    total,
    page: query.page,
    pageSize: query.pageSize,
    categories: categories.map((c) => c.category),
  };
}

export interface DefinitionChange {
  /** e.g. "sizes/0/vcpus", "mappings/aws:*\/image", "parameters/environment/options". */
  path: string;
  before: unknown;
  after: unknown;
}

/** Keys that identify array elements, so a diff says "mappings/aws:*" rather than "mappings/2". */
function elementKey(field: string, item: unknown, index: number): string {
  const o = (item ?? {}) as Record<string, unknown>;
  if (field === 'sizes' || field === 'parameters') return String(o.name ?? index);
  if (field === 'mappings') return `${String(o.providerKind)}:${String(o.regionCode)}`;
  return String(index);
}

/** What changed between two definitions, field by field (for the version history). */
export function diffDefinitions(before: TemplateDefinition, after: TemplateDefinition): DefinitionChange[] {
  const changes: DefinitionChange[] = [];
  const walk = (path: string, a: unknown, b: unknown, field: string) => {
    if (sameJson(a, b)) return;
    const isObj = (v: unknown) => v !== null && typeof v === 'object';
    if (Array.isArray(a) && Array.isArray(b) && ['sizes', 'mappings', 'parameters'].includes(field)) {
      const ma = new Map(a.map((x, i) => [elementKey(field, x, i), x]));
      const mb = new Map(b.map((x, i) => [elementKey(field, x, i), x]));
      for (const key of new Set([...ma.keys(), ...mb.keys()])) walk(`${path}/${key}`, ma.get(key), mb.get(key), '');
      return;
    }
    if (isObj(a) && isObj(b) && !Array.isArray(a) && !Array.isArray(b)) {
      const ra = a as Record<string, unknown>;
      const rb = b as Record<string, unknown>;
      for (const key of new Set([...Object.keys(ra), ...Object.keys(rb)])) walk(`${path}/${key}`, ra[key], rb[key], '');
      return;
    }
    changes.push({ path: path.replace(/^\//, ''), before: a ?? null, after: b ?? null });
  };
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof TemplateDefinition>;
  for (const key of keys) walk(`/${key}`, before[key], after[key], key);
  return changes;
}

/** Version history with each version's changes against the one before it. */
export async function templateHistory(db: Tx, templateId: string, options: { limit?: number } = {}) {
  const rows = await db.catalogTemplateVersion.findMany({
    where: { templateId },
    orderBy: { version: 'desc' },
    take: (options.limit ?? 50) + 1,
    include: { createdBy: { select: { email: true } } },
  });
  return rows.slice(0, options.limit ?? 50).map((row, i) => {
    const previous = rows[i + 1];
    const definition = definitionFromSnapshot(row.snapshot);
    return {
      version: row.version,
      changelog: row.changelog,
      createdAt: row.createdAt.toISOString(),
      createdBy: row.createdBy?.email ?? null,
      changes: previous ? diffDefinitions(definitionFromSnapshot(previous.snapshot), definition) : [],
    };
  });
}
