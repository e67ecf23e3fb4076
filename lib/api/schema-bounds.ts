// Finds input fields a client could make arbitrarily large: a string without a maximum length, an
// array without a maximum count, a record whose keys are unbounded strings. Used by the test that
// holds every operation's params/query/body to "every string and array has a maximum" (issue 10
// defect 5), so an operation added tomorrow is held to it too.
import type { z } from 'zod';

interface Def {
  type: string;
  checks?: { _zod: { def: { check: string } } }[];
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  items?: z.ZodType[];
  rest?: z.ZodType | null;
  getter?: () => z.ZodType;
}

/** Formats whose syntax already bounds the length (ids, addresses, timestamps). */
const BOUNDED_FORMATS = new Set(['uuid', 'guid', 'cuid', 'cuid2', 'ulid', 'nanoid', 'ipv4', 'ipv6', 'datetime', 'date', 'time', 'duration', 'e164', 'cidrv4', 'cidrv6', 'xid', 'ksuid']);

const defOf = (schema: z.ZodType) => (schema as unknown as { def: Def }).def;
const hasCheck = (def: Def, ...names: string[]) => (def.checks ?? []).some((c) => names.includes(c._zod.def.check));

function stringIsBounded(schema: z.ZodType): boolean {
  const s = schema as unknown as { maxLength: number | null; format: string | null };
  return (s.maxLength !== null && s.maxLength !== undefined) || (s.format !== null && BOUNDED_FORMATS.has(s.format));
}

/** Paths (e.g. "body/regions/[]") of unbounded strings/arrays/records in `schema`. */
export function unboundedFields(schema: z.ZodType | undefined, where: string): string[] {
  const found: string[] = [];
  const seen = new Set<z.ZodType>();
  const walk = (node: z.ZodType | undefined | null, path: string) => {
    if (!node || seen.has(node)) return;
    seen.add(node);
    const def = defOf(node);
    switch (def.type) {
      case 'string':
        if (!stringIsBounded(node)) found.push(`${path}: string without .max()`);
        return;
      case 'array':
        if (!hasCheck(def, 'max_length', 'length_equals')) found.push(`${path}: array without .max()`);
        walk(def.element, `${path}/[]`);
        return;
      case 'set':
        if (!hasCheck(def, 'max_size', 'size_equals')) found.push(`${path}: set without .max()`);
        return;
      case 'object':
        for (const [key, value] of Object.entries(def.shape ?? {})) walk(value, `${path}/${key}`);
        if (def.catchall && defOf(def.catchall).type !== 'never' && defOf(def.catchall).type !== 'unknown') walk(def.catchall, `${path}/*`);
        return;
      case 'record':
        walk(def.keyType, `${path}/{key}`);
        walk(def.valueType, `${path}/{value}`);
        return;
      case 'tuple':
        (def.items ?? []).forEach((item, i) => walk(item, `${path}/${i}`));
        walk(def.rest, `${path}/...`);
        return;
      case 'union':
        (def.options ?? []).forEach((option) => walk(option, path));
        return;
      case 'intersection':
        walk(def.left, path);
        walk(def.right, path);
        return;
      case 'pipe':
        // The input side is what a client sends; a transform's output is ours.
        walk(def.in, path);
        return;
      case 'lazy':
        walk(def.getter?.(), path);
        return;
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        walk(def.innerType, path);
        return;
      default:
        // number/int/bigint/boolean/enum/literal/date/file/unknown…: fixed size.
        return;
    }
  };
  walk(schema, where);
  return found;
}
