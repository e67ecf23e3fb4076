// The AWS Query / EC2 Query wire format: a flat `a.b.1.c=v` form body. The emulator keeps the flat
// map (for recording and simple look-ups) and expands it into nested objects/lists where an
// operation takes structured input (filters, tag specifications).

export type QueryValue = string | QueryValue[] | { [member: string]: QueryValue };
export type QueryStruct = { [member: string]: QueryValue };

/** Decode an `application/x-www-form-urlencoded` body (or URL query) into a flat map. */
export function parseQueryString(text: string): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) flat[key] = value;
  return flat;
}

const LIST_INDEX = /^[1-9][0-9]*$/;

/**
 * Expand `Filter.1.Name=x&Filter.1.Value.1=y` into `{ Filter: [{ Name: 'x', Value: ['y'] }] }`.
 * Numeric segments are the query protocol's 1-based list positions; gaps are dropped, order kept.
 */
export function expandQuery(flat: Record<string, string>): QueryStruct {
  type Node = { leaf?: string; children: Map<string, Node> };
  const root: Node = { children: new Map() };
  for (const [key, value] of Object.entries(flat)) {
    let node = root;
    for (const segment of key.split('.')) {
      let child = node.children.get(segment);
      if (!child) {
        child = { children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.leaf = value;
  }
  const build = (node: Node): QueryValue => {
    if (node.children.size === 0) return node.leaf ?? '';
    const keys = [...node.children.keys()];
    if (keys.every((k) => LIST_INDEX.test(k))) {
      return keys
        .map(Number)
        .sort((a, b) => a - b)
        .map((index) => build(node.children.get(String(index))!));
    }
    const struct: QueryStruct = {};
    for (const [k, child] of node.children) struct[k] = build(child);
    return struct;
  };
  const expanded = build(root);
  return typeof expanded === 'object' && !Array.isArray(expanded) ? expanded : {};
}

export function asString(value: QueryValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asList(value: QueryValue | undefined): QueryValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function asStruct(value: QueryValue | undefined): QueryStruct | undefined {
  return value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

export function stringList(value: QueryValue | undefined): string[] {
  return asList(value).filter((v): v is string => typeof v === 'string');
}

/** The EC2 `Filter.N.Name` / `Filter.N.Value.M` list as name → accepted values. */
export function filtersOf(input: QueryStruct): Array<{ name: string; values: string[] }> {
  return asList(input.Filter).flatMap((entry) => {
    const struct = asStruct(entry);
    const name = asString(struct?.Name);
    return struct && name ? [{ name, values: stringList(struct.Value) }] : [];
  });
}
