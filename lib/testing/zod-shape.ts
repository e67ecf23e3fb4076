// Test support: the fields of an operation's body/query schema, looking through the wrappers
// (optional, default, pipe/transform) that zod puts around the object.
import type { z } from 'zod';

export function objectShape(schema: z.ZodType | undefined): Record<string, z.ZodType> {
  let current: unknown = schema;
  for (let i = 0; i < 10 && current; i++) {
    const def = (current as { def: { type: string; shape?: Record<string, z.ZodType>; innerType?: unknown; in?: unknown } }).def;
    if (def.type === 'object') return def.shape ?? {};
    current = def.type === 'pipe' ? def.in : def.innerType;
  }
  return {};
}
