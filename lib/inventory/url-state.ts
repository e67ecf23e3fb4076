// The inventory table's state lives in the URL (shareable): filters, sort, page size, cursor and
// the trail of earlier cursors (keyset paging only goes forward; "previous" pops the trail).
import { FILTER_KEYS, listVmsQuerySchema, type ListVmsQuery } from './schemas';

export type SearchParams = Record<string, string | string[] | undefined>;

const first = (raw: SearchParams, key: string) => {
  const value = raw[key];
  return Array.isArray(value) ? value[0] : value;
};

/** Lenient: an invalid value is dropped rather than failing the page. */
export function parseListState(raw: SearchParams): { query: ListVmsQuery; trail: string[] } {
  const picked: Record<string, string> = {};
  for (const key of [...FILTER_KEYS, 'limit', 'cursor', 'sort'] as const) {
    const value = first(raw, key);
    if (value === undefined) continue;
    const alone = listVmsQuerySchema.safeParse({ [key]: value });
    if (alone.success) picked[key] = value;
  }
  const trailRaw = first(raw, 'trail') ?? '';
  const trail = trailRaw ? trailRaw.split('.').slice(-20).filter((t) => t.length <= 1000) : [];
  return { query: listVmsQuerySchema.parse(picked), trail };
}

/** Query-string entries for the filters (no paging), e.g. for the CSV export and tile links. */
export function filterEntries(query: Partial<ListVmsQuery>): [string, string][] {
  const out: [string, string][] = [];
  for (const key of FILTER_KEYS) {
    const value = query[key];
    if (value !== undefined && value !== '') out.push([key, String(value)]);
  }
  return out;
}

export function inventoryHref(
  query: Partial<ListVmsQuery>,
  changes: Partial<Record<keyof ListVmsQuery | 'trail', string | number | boolean | undefined>> = {},
  trail: string[] = [],
): string {
  const params = new URLSearchParams(filterEntries(query));
  if (query.sort && query.sort !== 'name') params.set('sort', query.sort);
  if (query.limit && query.limit !== 50) params.set('limit', String(query.limit));
  if (query.cursor) params.set('cursor', query.cursor);
  if (trail.length) params.set('trail', trail.join('.'));
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') params.delete(key);
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `/inventory?${text}` : '/inventory';
}

/** "First page" marker in the trail (cursors are base64url, so "0" never collides). */
export const FIRST_PAGE = '0';
