// Costs: FOCUS imports, the cost explorer (summary, breakdown, line items) and showback. Admins see
// everything; everyone else only the projects they own (lib/billing/scope.ts).
import { z } from 'zod';
import {
  costBreakdownQuerySchema,
  costBreakdownSchema,
  costFiltersSchema,
  costImportSchema,
  costLineItemsQuerySchema,
  costLineItemsSchema,
  costSummarySchema,
  importDefaultsSchema,
  showbackQuerySchema,
} from '@/lib/billing/schemas';
import { capability, defineOperation, type Operation } from '../operation';

const TAG = 'Costs';

export const importCosts = defineOperation({
  operationId: 'importCosts',
  method: 'POST',
  path: '/api/v1/costs/imports',
  summary: 'Upload a FOCUS 1.0–1.3 cost file (CSV, gzipped CSV or Parquet; native Azure EA/MCA exports too) as multipart `file`',
  description:
    'Returns 202 with the queued import; poll getCostImport for progress. The file is validated whole: any invalid row rejects it ' +
    '(row-level errors on the import) and nothing is imported. Re-importing a billing period of the same provider and billing ' +
    'account replaces it. Optional form fields providerName / billingCurrency apply when the file has no such column; ' +
    'azureCostKind (actual | amortized) for native Azure exports.',
  tag: TAG,
  access: capability('cost:import'),
  bodyType: 'multipart',
  // Cost exports run to gigabytes: the route streams the upload to disk instead of buffering it.
  streamBody: true,
  body: importDefaultsSchema,
  response: costImportSchema,
  successStatus: 202,
});

export const getCostImport = defineOperation({
  operationId: 'getCostImport',
  method: 'GET',
  path: '/api/v1/costs/imports/{importId}',
  summary: 'One cost import: status, progress (rows read, rows/s), row-level errors and the periods it replaced',
  tag: TAG,
  access: capability('cost:import'),
  params: z.object({ importId: z.string().min(1).max(100) }),
  response: costImportSchema,
});

export const getCostSummary = defineOperation({
  operationId: 'getCostSummary',
  method: 'GET',
  path: '/api/v1/costs/summary',
  summary: 'Totals by FOCUS ProviderName for charge periods overlapping [start, end), with month to date, forecast and last month',
  description:
    '`end` is exclusive. Sums are exact decimal strings (numeric in PostgreSQL). forecastMonthEnd: linear run-rate, month-to-date ÷ days ' +
    'elapsed (today counts) × days in month. Non-admins see only the projects they own.',
  tag: TAG,
  access: capability('cost:read-own'),
  query: costFiltersSchema,
  response: costSummarySchema,
});

export const getCostBreakdown = defineOperation({
  operationId: 'getCostBreakdown',
  method: 'GET',
  path: '/api/v1/costs/breakdown',
  summary: 'Pivot of billed and effective cost by a dimension (and optionally a second one), with the daily trend',
  description: 'groupBy/pivot: provider, region, project, serviceCategory, service, subAccount, chargeCategory, resource, tag (with tagKey).',
  tag: TAG,
  access: capability('cost:read-own'),
  query: costBreakdownQuerySchema,
  response: costBreakdownSchema,
});

export const listCostLineItems = defineOperation({
  operationId: 'listCostLineItems',
  method: 'GET',
  path: '/api/v1/costs/line-items',
  summary: 'The cost rows behind a total (drill-down): same filters as the breakdown, newest first, paged',
  tag: TAG,
  access: capability('cost:read-own'),
  query: costLineItemsQuerySchema,
  response: costLineItemsSchema,
});

export const exportShowback = defineOperation({
  operationId: 'exportShowback',
  method: 'GET',
  path: '/api/v1/costs/showback',
  summary: 'Showback CSV for a month: per project (or cost centre) a total line, then the cost rows behind it',
  tag: TAG,
  access: capability('cost:read-own'),
  query: showbackQuerySchema,
  response: z.string().describe('text/csv'),
});

export const operations: readonly Operation[] = [importCosts, getCostImport, getCostSummary, getCostBreakdown, listCostLineItems, exportShowback];
