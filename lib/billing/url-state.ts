// The cost explorer's state lives in the URL (shareable, back button works). Parsing is lenient:
// an invalid value falls back to the default and is reported, never a 500.
import { COST_DIMENSIONS, type CostDimension, type CostFilters, costFiltersSchema } from './schemas';

export type SearchParams = Record<string, string | string[] | undefined>;
export type Metric = 'billed' | 'effective';

export interface ExplorerState {
  filters: CostFilters;
  groupBy: CostDimension;
  pivot: CostDimension | undefined;
  metric: Metric;
  page: number;
  /** Show the line items behind the current filters. */
  items: boolean;
  problem: string | null;
}

const FILTER_KEYS = ['provider', 'region', 'projectId', 'serviceCategory', 'service', 'subAccount', 'chargeCategory', 'resourceId', 'vmId', 'tagKey', 'tagValue'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** Which filter a dimension's key sets when a cell is drilled into. */
export const DIMENSION_FILTER: Record<CostDimension, FilterKey> = {
  provider: 'provider',
  region: 'region',
  project: 'projectId',
  serviceCategory: 'serviceCategory',
  service: 'service',
  subAccount: 'subAccount',
  chargeCategory: 'chargeCategory',
  resource: 'resourceId',
  tag: 'tagValue',
};

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const dim = (v: string | undefined): CostDimension | undefined => (COST_DIMENSIONS as readonly string[]).includes(v ?? '') ? (v as CostDimension) : undefined;

export function defaultRange(now: Date): { start: string; end: string } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) };
}

export function parseExplorerState(params: SearchParams, now: Date = new Date()): ExplorerState {
  const range = defaultRange(now);
  const raw: Record<string, string> = { start: one(params.start) ?? range.start, end: one(params.end) ?? range.end };
  for (const key of FILTER_KEYS) {
    const v = one(params[key]);
    // A blank form field means "no filter"; only tagValue '' is meaningful (rows without the tag).
    if (v !== undefined && (v !== '' || key === 'tagValue')) raw[key] = v.slice(0, 500);
  }
  let problem: string | null = null;
  let parsed = costFiltersSchema.safeParse(raw);
  if (!parsed.success) {
    problem = `Ignored an invalid filter: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
    parsed = costFiltersSchema.safeParse({ ...raw, start: range.start, end: range.end });
    if (!parsed.success) parsed = costFiltersSchema.safeParse(range);
  }
  const groupBy = dim(one(params.groupBy)) ?? 'provider';
  const pivot = dim(one(params.pivot));
  const page = Math.min(10_000, Math.max(1, Number.parseInt(one(params.page) ?? '1', 10) || 1));
  return {
    filters: parsed.data!,
    groupBy: groupBy === 'tag' && !parsed.data?.tagKey ? 'provider' : groupBy,
    pivot: pivot && pivot !== groupBy && !(pivot === 'tag' && !parsed.data?.tagKey) ? pivot : undefined,
    metric: one(params.metric) === 'billed' ? 'billed' : 'effective',
    page,
    items: one(params.items) === '1',
    problem,
  };
}

/** The URL of the explorer with `state` changed by `patch` (undefined removes a key). */
export function explorerHref(state: ExplorerState, patch: Record<string, string | undefined>, base = '/costs'): string {
  const q = new URLSearchParams();
  const current: Record<string, string | undefined> = {
    start: state.filters.start,
    end: state.filters.end,
    groupBy: state.groupBy === 'provider' ? undefined : state.groupBy,
    pivot: state.pivot,
    metric: state.metric === 'effective' ? undefined : state.metric,
    items: state.items ? '1' : undefined,
    page: state.page > 1 ? String(state.page) : undefined,
  };
  for (const key of FILTER_KEYS) current[key] = state.filters[key];
  for (const [k, v] of Object.entries({ ...current, ...patch })) if (v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}
