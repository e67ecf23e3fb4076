// Catalog templates (versions, archive), instance types, and the price book (rates, CSV import,
// markup/discount rules). Reading templates is open to every signed-in role (the request form
// needs definitions); changing them needs admin:catalog; the price book needs admin:prices.
import { z } from 'zod';
import { ProviderKind } from '@/generated/prisma/enums';
import {
  createTemplateSchema,
  getTemplateQuerySchema,
  importPricesQuerySchema,
  importResultSchema,
  listPricesQuerySchema,
  listTemplatesQuerySchema,
  priceListSchema,
  priceRuleInputSchema,
  priceRuleViewSchema,
  rateInputSchema,
  templateListSchema,
  templateViewSchema,
  updatePriceRuleSchema,
  updateRateSchema,
  updateTemplateSchema,
  type CreateTemplateInput,
} from '@/lib/catalog/schemas';
import { capability, defineOperation, type Operation } from '../operation';

const TEMPLATES = 'Catalog';
const PRICES = 'Price book';
const id = (description: string) => z.string().min(1).max(100).describe(description);
const templateParams = z.object({ templateId: id('Template id (or slug)') });

const exampleTemplate: CreateTemplateInput = {
  slug: 'linux-web',
  name: 'Linux web server',
  description: 'Ubuntu with nginx.',
  category: 'Web',
  os: 'Ubuntu Server LTS',
  sizes: [
    { name: 'small', label: 'Small', vcpus: 2, memoryMiB: 4096, diskGiB: 40 },
    { name: 'large', label: 'Large', vcpus: 4, memoryMiB: 16384, diskGiB: 80 },
  ],
  mappings: [
    { providerKind: 'aws', regionCode: '*', instanceTypes: { small: 't3.medium', large: 'm5.xlarge' }, image: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250115' },
    { providerKind: 'vsphere', regionCode: '*', instanceTypes: { small: 'medium' }, image: 'ubuntu-22.04-template' },
  ],
  allowedProviderKinds: [],
  allowedRegions: [],
  allowedProjectIds: [],
  defaultLeaseDays: 30,
  maxLeaseDays: 90,
  parameters: [{ name: 'environment', label: 'Environment', type: 'enum', required: true, options: ['dev', 'test', 'prod'], default: 'dev' }],
};

export const listTemplates = defineOperation({
  operationId: 'listTemplates',
  method: 'GET',
  path: '/api/v1/templates',
  summary: 'Catalog templates with filters (q, category, provider, status active|archived|all), sort and paging',
  description: 'Archived templates (status archived or all) are listed for admins only.',
  tag: TEMPLATES,
  access: capability('catalog:read'),
  query: listTemplatesQuerySchema,
  response: templateListSchema,
});

export const createTemplate = defineOperation({
  operationId: 'createTemplate',
  method: 'POST',
  path: '/api/v1/templates',
  summary: 'Create a template (version 1): sizes, per-provider mappings, allowed providers/regions/projects, leases, typed parameters',
  description:
    'Each mapping realises some or all sizes on one provider (regionCode "*" or one region, which then wins over "*"). Every size ' +
    'must be mapped on at least one provider; cloud instance types are checked against the sizes the provider lists.',
  tag: TEMPLATES,
  access: capability('admin:catalog'),
  body: createTemplateSchema,
  exampleBody: exampleTemplate,
  response: templateViewSchema,
  successStatus: 201,
});

export const getTemplate = defineOperation({
  operationId: 'getTemplate',
  method: 'GET',
  path: '/api/v1/templates/{templateId}',
  summary: 'One template at its current version, or any earlier one with ?version=, plus its version list',
  tag: TEMPLATES,
  access: capability('catalog:read'),
  params: templateParams,
  query: getTemplateQuerySchema,
  response: templateViewSchema,
});

export const updateTemplate = defineOperation({
  operationId: 'updateTemplate',
  method: 'PATCH',
  path: '/api/v1/templates/{templateId}',
  summary: 'Change a template (a new immutable version), or archive/restore it with { archived: true|false }',
  description:
    'Only the fields sent change; arrays replace whole. An unchanged definition makes no version. Send expectedVersion to get 409 ' +
    'instead of overwriting someone else’s edit. Requests keep the version they were made from.',
  tag: TEMPLATES,
  access: capability('admin:catalog'),
  params: templateParams,
  body: updateTemplateSchema,
  exampleBody: { description: 'Ubuntu 24.04 with nginx.', changelog: 'Newer Ubuntu' },
  response: templateViewSchema,
});

export const templateVersionChangeSchema = z.object({ path: z.string(), before: z.unknown(), after: z.unknown() });

export const listTemplateVersions = defineOperation({
  operationId: 'listTemplateVersions',
  method: 'GET',
  path: '/api/v1/templates/{templateId}/versions',
  summary: 'Version history, newest first, each with its changes against the version before it',
  tag: TEMPLATES,
  access: capability('admin:catalog'),
  params: templateParams,
  response: z.object({
    versions: z.array(z.object({ version: z.int(), changelog: z.string(), createdAt: z.string(), createdBy: z.string().nullable(), changes: z.array(templateVersionChangeSchema) })),
  }),
});

export const listInstanceTypes = defineOperation({
  operationId: 'listInstanceTypes',
  method: 'GET',
  path: '/api/v1/instance-types',
  summary: 'Known instance types (and vSphere sizing labels) with vCPU and memory, from the providers’ size lists',
  tag: TEMPLATES,
  access: capability('catalog:read'),
  query: z.object({ provider: z.enum(ProviderKind).optional() }),
  response: z.object({
    instanceTypes: z.array(z.object({ providerKind: z.enum(ProviderKind), name: z.string(), label: z.string(), vcpus: z.int(), memoryMiB: z.int(), regionCodes: z.array(z.string()) })),
  }),
});

export const listPrices = defineOperation({
  operationId: 'listPrices',
  method: 'GET',
  path: '/api/v1/prices',
  summary: 'Rates of a price book (default: the one in effect) with vCPU/RAM per instance type and the monthly figure',
  tag: PRICES,
  access: capability('admin:prices'),
  query: listPricesQuerySchema,
  response: priceListSchema,
});

export const importPrices = defineOperation({
  operationId: 'importPrices',
  method: 'POST',
  path: '/api/v1/prices/imports',
  summary: 'Import rates from a CSV uploaded as multipart `file` (columns provider, region, sku, unit, unitPrice)',
  description:
    'All or nothing: every row is checked first; any error → 400 listing each problem as errors[] with field "file/<row>/<column>" ' +
    '(row = line in the file, header = 1) and a message naming the value and why; nothing is imported. Valid files are written in ' +
    'one transaction. mode=replace also removes the book’s rates the file does not list. region defaults to "*", unit to hour.',
  tag: PRICES,
  access: capability('admin:prices'),
  bodyType: 'multipart',
  body: importPricesQuerySchema,
  exampleBody: { mode: 'merge' },
  response: importResultSchema,
});

const rateParams = z.object({ rateId: id('Rate id') });

export const createPrice = defineOperation({
  operationId: 'createPrice',
  method: 'POST',
  path: '/api/v1/prices',
  summary: 'Add a rate to a price book (or change the price of the same provider/region/sku/unit)',
  tag: PRICES,
  access: capability('admin:prices'),
  body: rateInputSchema.extend({ priceBookId: id('Price book id').optional() }),
  exampleBody: { providerKind: 'aws', regionCode: '*', sku: 't3.large', unit: 'hour', unitPrice: '0.0832' },
  response: z.object({ id: z.string() }),
  successStatus: 201,
});

export const updatePrice = defineOperation({
  operationId: 'updatePrice',
  method: 'PATCH',
  path: '/api/v1/prices/{rateId}',
  summary: 'Change one rate’s unit price',
  tag: PRICES,
  access: capability('admin:prices'),
  params: rateParams,
  body: updateRateSchema,
  exampleBody: { unitPrice: '0.0416' },
  response: z.object({ id: z.string(), unitPrice: z.string(), monthly: z.string() }),
});

export const deletePrice = defineOperation({
  operationId: 'deletePrice',
  method: 'DELETE',
  path: '/api/v1/prices/{rateId}',
  summary: 'Remove one rate',
  tag: PRICES,
  access: capability('admin:prices'),
  params: rateParams,
  response: z.null(),
  successStatus: 204,
});

const ruleParams = z.object({ ruleId: id('Price rule id') });

export const listPriceRules = defineOperation({
  operationId: 'listPriceRules',
  method: 'GET',
  path: '/api/v1/price-rules',
  summary: 'Markup and discount rules (percent, per provider and/or project)',
  tag: PRICES,
  access: capability('admin:prices'),
  response: z.object({ rules: z.array(priceRuleViewSchema) }),
});

export const createPriceRule = defineOperation({
  operationId: 'createPriceRule',
  method: 'POST',
  path: '/api/v1/price-rules',
  summary: 'Add a markup or discount rule; all enabled matching rules add up (1 + Σ markup − Σ discount)',
  tag: PRICES,
  access: capability('admin:prices'),
  body: priceRuleInputSchema,
  exampleBody: { name: 'Support surcharge', adjustment: 'markup', percent: '5', providerKind: 'aws', projectId: null, enabled: true },
  response: priceRuleViewSchema,
  successStatus: 201,
});

export const updatePriceRule = defineOperation({
  operationId: 'updatePriceRule',
  method: 'PATCH',
  path: '/api/v1/price-rules/{ruleId}',
  summary: 'Change a rule (name, adjustment, percent, scope, enabled)',
  tag: PRICES,
  access: capability('admin:prices'),
  params: ruleParams,
  body: updatePriceRuleSchema,
  exampleBody: { enabled: false },
  response: priceRuleViewSchema,
});

export const deletePriceRule = defineOperation({
  operationId: 'deletePriceRule',
  method: 'DELETE',
  path: '/api/v1/price-rules/{ruleId}',
  summary: 'Remove a rule',
  tag: PRICES,
  access: capability('admin:prices'),
  params: ruleParams,
  response: z.null(),
  successStatus: 204,
});

export const operations: Operation[] = [
  listTemplates,
  createTemplate,
  getTemplate,
  updateTemplate,
  listTemplateVersions,
  listInstanceTypes,
  listPrices,
  importPrices,
  createPrice,
  updatePrice,
  deletePrice,
  listPriceRules,
  createPriceRule,
  updatePriceRule,
  deletePriceRule,
];
