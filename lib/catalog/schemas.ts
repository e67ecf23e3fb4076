// The one home of the catalog's and price book's zod schemas (API, forms and lib/ services share
// them). A template's whole definition is one value (`templateDefinitionSchema`); every change to
// it is stored as a new immutable CatalogTemplateVersion snapshot.
import { z } from 'zod';
import { ProviderKind, RateUnit } from '@/generated/prisma/enums';

export const LIMITS = {
  sizes: 20,
  mappings: 60,
  parameters: 30,
  enumOptions: 50,
  allowed: 200,
  vcpus: 448,
  memoryMiB: 24 * 1024 * 1024,
  diskGiB: 65_536,
  leaseDays: 3650,
  stringMaxLength: 4000,
} as const;

const trimmed = (max: number) => z.string().trim().max(max);
const required = (max: number, what: string) => trimmed(max).min(1, `${what} is required.`);

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
export const SIZE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,39}$/;
export const PARAMETER_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,39}$/;

export const templateSizeSchema = z.object({
  name: trimmed(40).regex(SIZE_NAME_PATTERN, 'Use lower-case letters, digits, ".", "_" or "-" (e.g. "small").'),
  label: trimmed(80).optional(),
  vcpus: z.int().min(1).max(LIMITS.vcpus),
  memoryMiB: z.int().min(128).max(LIMITS.memoryMiB),
  diskGiB: z.int().min(1).max(LIMITS.diskGiB),
});
export type TemplateSize = z.infer<typeof templateSizeSchema>;

export const templateMappingSchema = z.object({
  providerKind: z.enum(ProviderKind),
  /** "*" = every region of the provider; otherwise one region code that overrides "*". */
  regionCode: trimmed(64).min(1).default('*'),
  /** size name → cloud instance type (vSphere: sizing label such as "medium"). */
  instanceTypes: z.record(trimmed(40), required(100, 'Instance type')).refine((r) => Object.keys(r).length <= LIMITS.sizes, `At most ${LIMITS.sizes} sizes.`),
  /** AMI name or id | Azure publisher:offer:sku:version | GCP image family or path | vSphere template. */
  image: required(300, 'Image'),
});
export type TemplateMapping = z.infer<typeof templateMappingSchema>;

export const PARAMETER_TYPES = ['string', 'number', 'enum', 'boolean'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export const templateParameterSchema = z.object({
  name: trimmed(40).regex(PARAMETER_NAME_PATTERN, 'Start with a letter; letters, digits and "_" only.'),
  label: required(80, 'Label'),
  type: z.enum(PARAMETER_TYPES),
  required: z.boolean().default(false),
  default: z.union([z.string().max(LIMITS.stringMaxLength), z.number().finite(), z.boolean()]).optional(),
  min: z.number().finite().min(-1e12).max(1e12).optional(),
  max: z.number().finite().min(-1e12).max(1e12).optional(),
  maxLength: z.int().min(1).max(LIMITS.stringMaxLength).optional(),
  pattern: trimmed(200).optional(),
  options: z.array(required(80, 'Option')).max(LIMITS.enumOptions).optional(),
});
export type TemplateParameter = z.infer<typeof templateParameterSchema>;

const allowedRegionPattern = /^(vsphere|aws|azure|gcp):[A-Za-z0-9 ._/-]{1,64}$/;

/** Shape only; cross-field rules are in `checkTemplateDefinition` so they report precise paths. */
const templateDefinitionShape = z.object({
  slug: trimmed(64).regex(SLUG_PATTERN, 'Use lower-case letters, digits and "-" (e.g. "linux-web").'),
  name: required(120, 'Name'),
  description: trimmed(2000).default(''),
  category: required(60, 'Category').default('Compute'),
  os: required(120, 'Operating system'),
  sizes: z.array(templateSizeSchema).min(1, 'Add at least one size.').max(LIMITS.sizes),
  mappings: z.array(templateMappingSchema).min(1, 'Map the template to at least one provider.').max(LIMITS.mappings),
  /** [] = every mapped provider kind. */
  allowedProviderKinds: z.array(z.enum(ProviderKind)).max(4).default([]),
  /** "kind:region" entries; [] = every enabled region. */
  allowedRegions: z.array(trimmed(80).regex(allowedRegionPattern, 'Use "provider:region", e.g. "aws:eu-west-1".')).max(LIMITS.allowed).default([]),
  /** [] = every project. */
  allowedProjectIds: z.array(required(64, 'Project id')).max(LIMITS.allowed).default([]),
  defaultLeaseDays: z.int().min(1).max(LIMITS.leaseDays).nullable().default(null),
  maxLeaseDays: z.int().min(1).max(LIMITS.leaseDays).nullable().default(null),
  parameters: z.array(templateParameterSchema).max(LIMITS.parameters).default([]),
});

type Issue = { path: (string | number)[]; message: string };

function isValidRegex(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

function checkParameter(p: TemplateParameter, at: (string | number)[], issues: Issue[]) {
  const add = (field: string, message: string) => issues.push({ path: [...at, field], message });
  if (p.type !== 'number' && (p.min !== undefined || p.max !== undefined)) add('min', 'Only number parameters have min/max.');
  if (p.type !== 'string' && (p.maxLength !== undefined || p.pattern !== undefined)) add('maxLength', 'Only string parameters have a maximum length or pattern.');
  if (p.type !== 'enum' && p.options !== undefined && p.options.length > 0) add('options', 'Only enum parameters have options.');
  if (p.min !== undefined && p.max !== undefined && p.min > p.max) add('max', 'Max must not be below min.');
  if (p.pattern !== undefined && !isValidRegex(p.pattern)) add('pattern', 'Not a valid regular expression.');
  if (p.type === 'enum') {
    if (!p.options || p.options.length === 0) add('options', 'An enum needs at least one option.');
    else if (new Set(p.options).size !== p.options.length) add('options', 'Options must be unique.');
  }
  if (p.default !== undefined) {
    const problem = parameterValueProblem(p, p.default);
    if (problem) add('default', `Default: ${problem}`);
  }
}

/**
 * Why `value` is not valid for parameter `p`, or null. Shared by template validation (defaults)
 * and request validation (`parseParameterValues`).
 */
export function parameterValueProblem(p: TemplateParameter, value: unknown): string | null {
  switch (p.type) {
    case 'string': {
      if (typeof value !== 'string') return 'must be text.';
      const max = p.maxLength ?? LIMITS.stringMaxLength;
      if (value.length > max) return `at most ${max} characters.`;
      if (p.pattern && isValidRegex(p.pattern) && !new RegExp(`^(?:${p.pattern})$`, 'u').test(value)) return `must match ${p.pattern}.`;
      return null;
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number.';
      if (p.min !== undefined && value < p.min) return `must be at least ${p.min}.`;
      if (p.max !== undefined && value > p.max) return `must be at most ${p.max}.`;
      return null;
    }
    case 'enum':
      return typeof value === 'string' && (p.options ?? []).includes(value) ? null : `must be one of ${(p.options ?? []).join(', ')}.`;
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false.';
  }
}

/** Cross-field rules of a definition, each reported at the path of the field to fix. */
export function checkTemplateDefinition(d: z.output<typeof templateDefinitionShape>): Issue[] {
  const issues: Issue[] = [];
  const sizeNames = d.sizes.map((s) => s.name);
  sizeNames.forEach((name, i) => {
    if (sizeNames.indexOf(name) !== i) issues.push({ path: ['sizes', i, 'name'], message: `Size "${name}" is listed twice.` });
  });
  const seen = new Set<string>();
  d.mappings.forEach((m, i) => {
    const key = `${m.providerKind}:${m.regionCode}`;
    if (seen.has(key)) issues.push({ path: ['mappings', i, 'regionCode'], message: `${m.providerKind} ${m.regionCode === '*' ? 'all regions' : m.regionCode} is mapped twice.` });
    seen.add(key);
    // A mapping may leave out sizes the provider has no fitting shape for (not offered there), but
    // must realise at least one and only sizes the template has.
    if (Object.keys(m.instanceTypes).length === 0) issues.push({ path: ['mappings', i, 'instanceTypes'], message: 'Map at least one size to an instance type.' });
    for (const size of Object.keys(m.instanceTypes)) {
      if (!sizeNames.includes(size)) issues.push({ path: ['mappings', i, 'instanceTypes', size], message: `"${size}" is not one of the template's sizes.` });
    }
  });
  d.sizes.forEach((s, i) => {
    if (!d.mappings.some((m) => m.instanceTypes[s.name])) issues.push({ path: ['sizes', i, 'name'], message: `Size "${s.name}" has no instance type on any provider.` });
  });
  const mappedKinds = new Set(d.mappings.map((m) => m.providerKind));
  d.allowedProviderKinds.forEach((kind, i) => {
    if (!mappedKinds.has(kind)) issues.push({ path: ['allowedProviderKinds', i], message: `${kind} is allowed but has no mapping.` });
  });
  d.allowedRegions.forEach((entry, i) => {
    const kind = entry.slice(0, entry.indexOf(':')) as ProviderKind;
    const usable = d.allowedProviderKinds.length ? d.allowedProviderKinds.includes(kind) : mappedKinds.has(kind);
    if (!usable) issues.push({ path: ['allowedRegions', i], message: `${entry}: ${kind} is not an allowed, mapped provider.` });
  });
  if (d.defaultLeaseDays !== null && d.maxLeaseDays !== null && d.defaultLeaseDays > d.maxLeaseDays) {
    issues.push({ path: ['defaultLeaseDays'], message: 'The default lease must not exceed the maximum lease.' });
  }
  const paramNames = d.parameters.map((p) => p.name);
  d.parameters.forEach((p, i) => {
    if (paramNames.indexOf(p.name) !== i) issues.push({ path: ['parameters', i, 'name'], message: `Parameter "${p.name}" is defined twice.` });
    checkParameter(p, ['parameters', i], issues);
  });
  return issues;
}

export const templateDefinitionSchema = templateDefinitionShape.superRefine((d, ctx) => {
  for (const issue of checkTemplateDefinition(d)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});
export type TemplateDefinition = z.output<typeof templateDefinitionSchema>;
export type TemplateDefinitionInput = z.input<typeof templateDefinitionSchema>;

export const createTemplateSchema = templateDefinitionShape
  .extend({ changelog: trimmed(500).optional() })
  .superRefine((d, ctx) => {
    for (const issue of checkTemplateDefinition(d)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
export type CreateTemplateInput = z.input<typeof createTemplateSchema>;

/**
 * PATCH: any definition field (whole arrays replace), `archived` to archive/restore, `changelog`
 * for the new version, `expectedVersion` for optimistic concurrency (409 when stale).
 */
const { slug: _slug, ...definitionFields } = templateDefinitionShape.shape;
/** The definition's fields without their defaults: in a PATCH, absent means "unchanged". */
const patchFields = Object.fromEntries(
  Object.entries(definitionFields).map(([key, field]) => [key, (field instanceof z.ZodDefault ? field.unwrap() : field).optional()]),
) as { [K in keyof typeof definitionFields]: z.ZodOptional<(typeof definitionFields)[K] extends z.ZodDefault<infer T> ? T : (typeof definitionFields)[K]> };

export const updateTemplateSchema = z
  .object(patchFields)
  .extend({
    archived: z.boolean().optional(),
    changelog: trimmed(500).optional(),
    expectedVersion: z.int().min(1).max(1_000_000).optional(),
  });
export type UpdateTemplateInput = z.input<typeof updateTemplateSchema>;

export const TEMPLATE_SORTS = ['name', 'category', 'updatedAt', 'version'] as const;
export const listTemplatesQuerySchema = z.object({
  q: trimmed(100).optional(),
  category: trimmed(60).optional(),
  provider: z.enum(ProviderKind).optional(),
  status: z.enum(['active', 'archived', 'all']).default('active'),
  sort: z.enum(TEMPLATE_SORTS).default('name'),
  dir: z.enum(['asc', 'desc']).default('asc'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(25),
});
export type ListTemplatesQuery = z.output<typeof listTemplatesQuerySchema>;

export const getTemplateQuerySchema = z.object({
  version: z.coerce.number().int().min(1).max(1_000_000).optional(),
});

export const templateVersionSummarySchema = z.object({
  version: z.int(),
  changelog: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
});

export const templateViewSchema = z.object({
  id: z.string(),
  versionId: z.string(),
  version: z.int(),
  currentVersion: z.int(),
  archived: z.boolean(),
  archivedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  definition: templateDefinitionShape,
  versions: z.array(templateVersionSummarySchema),
});
export type TemplateView = z.infer<typeof templateViewSchema>;

export const templateListItemSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  category: z.string(),
  os: z.string(),
  currentVersion: z.int(),
  archived: z.boolean(),
  providerKinds: z.array(z.enum(ProviderKind)),
  sizes: z.array(z.string()),
  updatedAt: z.string(),
});
export type TemplateListItem = z.infer<typeof templateListItemSchema>;

export const templateListSchema = z.object({
  items: z.array(templateListItemSchema),
  total: z.int(),
  page: z.int(),
  pageSize: z.int(),
  categories: z.array(z.string()),
});
export type TemplateList = z.infer<typeof templateListSchema>;

// ───────────── price book ─────────────

export const RATE_SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/;
/** vSphere's rate card: chargeback components (not instance types). */
export const CHARGEBACK_SKUS = ['vcpu', 'memory-gib', 'disk-gib'] as const;
/** A cloud provider's managed-disk rate, per GiB-month. */
export const DISK_SKU = 'disk-gib';

const decimalString = z
  .union([z.string().trim().max(30), z.number().finite()])
  .transform((v) => String(v))
  .refine((v) => /^\d{1,12}(\.\d{1,6})?$/.test(v), 'A non-negative decimal with at most 6 decimals, e.g. 0.0416.');

export const rateInputSchema = z.object({
  providerKind: z.enum(ProviderKind),
  regionCode: trimmed(64).min(1).default('*'),
  sku: trimmed(100).regex(RATE_SKU_PATTERN, 'An instance type or chargeback sku (vcpu, memory-gib, disk-gib).'),
  unit: z.enum(RateUnit).default('hour'),
  unitPrice: decimalString,
});
export type RateInput = z.output<typeof rateInputSchema>;

export const rateViewSchema = z.object({
  id: z.string(),
  priceBookId: z.string(),
  providerKind: z.enum(ProviderKind),
  regionCode: z.string(),
  sku: z.string(),
  unit: z.enum(RateUnit),
  /** Decimal string, up to 6 decimals. */
  unitPrice: z.string(),
  /** vCPU/RAM of the instance type when known (cloud skus). */
  vcpus: z.int().nullable(),
  memoryMiB: z.int().nullable(),
  /** hourly × 730 or the monthly rate, 2 decimals. */
  monthly: z.string(),
});
export type RateView = z.infer<typeof rateViewSchema>;

export const RATE_SORTS = ['provider', 'sku', 'region', 'price'] as const;
export const listPricesQuerySchema = z.object({
  priceBookId: trimmed(64).optional(),
  provider: z.enum(ProviderKind).optional(),
  region: trimmed(64).optional(),
  q: trimmed(100).optional(),
  sort: z.enum(RATE_SORTS).default('provider'),
  dir: z.enum(['asc', 'desc']).default('asc'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListPricesQuery = z.output<typeof listPricesQuerySchema>;

export const priceBookSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  currency: z.string(),
  source: z.string(),
  effectiveFrom: z.string(),
  effectiveTo: z.string().nullable(),
  current: z.boolean(),
  rateCount: z.int(),
});

export const priceListSchema = z.object({
  priceBook: priceBookSummarySchema.nullable(),
  priceBooks: z.array(priceBookSummarySchema),
  rates: z.array(rateViewSchema),
  total: z.int(),
  page: z.int(),
  pageSize: z.int(),
});
export type PriceList = z.infer<typeof priceListSchema>;

export const updateRateSchema = z.object({ unitPrice: decimalString });

export const importPricesQuerySchema = z.object({
  priceBookId: trimmed(64).optional(),
  /** "merge" upserts the file's rows; "replace" also removes the book's rates the file does not list. */
  mode: z.enum(['merge', 'replace']).default('merge'),
});

export const importRowErrorSchema = z.object({
  /** 1-based line in the file (the header is line 1). */
  row: z.int(),
  column: z.string(),
  value: z.string(),
  message: z.string(),
});
export type ImportRowError = z.infer<typeof importRowErrorSchema>;

export const importResultSchema = z.object({
  priceBookId: z.string(),
  imported: z.int(),
  created: z.int(),
  updated: z.int(),
  removed: z.int(),
});
export type ImportResult = z.infer<typeof importResultSchema>;

export const PRICE_RULE_ADJUSTMENTS = ['markup', 'discount'] as const;
export const priceRuleInputSchema = z.object({
  name: required(100, 'Name'),
  adjustment: z.enum(PRICE_RULE_ADJUSTMENTS),
  /** Percent, e.g. "12.5" = 12.5 %; discounts at most 100. */
  percent: decimalString.refine((v) => Number(v) <= 1000, 'At most 1000 %.'),
  providerKind: z.enum(ProviderKind).nullable().default(null),
  projectId: trimmed(64).min(1).nullable().default(null),
  enabled: z.boolean().default(true),
}).refine((r) => r.adjustment !== 'discount' || Number(r.percent) <= 100, { path: ['percent'], message: 'A discount is at most 100 %.' });
export type PriceRuleInput = z.input<typeof priceRuleInputSchema>;

export const updatePriceRuleSchema = z.object({
  name: required(100, 'Name').optional(),
  adjustment: z.enum(PRICE_RULE_ADJUSTMENTS).optional(),
  percent: decimalString.refine((v) => Number(v) <= 1000, 'At most 1000 %.').optional(),
  providerKind: z.enum(ProviderKind).nullable().optional(),
  projectId: trimmed(64).min(1).nullable().optional(),
  enabled: z.boolean().optional(),
});

export const priceRuleViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  adjustment: z.enum(PRICE_RULE_ADJUSTMENTS),
  percent: z.string(),
  providerKind: z.enum(ProviderKind).nullable(),
  projectId: z.string().nullable(),
  projectName: z.string().nullable(),
  enabled: z.boolean(),
  updatedAt: z.string(),
});
export type PriceRuleView = z.infer<typeof priceRuleViewSchema>;

