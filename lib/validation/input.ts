// Input validation shared by lib/ services and the server actions that call them: lib parses its
// input with the same zod schema the API uses and reports field paths under "body/", so an API
// client and a form see the same field names (forms strip the prefix with fieldErrorMap).
import { z } from 'zod';
import { fieldIssuesFromZod, ValidationError, type FieldIssue } from '../errors';

export const BODY = 'body';

/** The schema of a form without fields (a button: unlock, archive, remove). */
export const NO_FIELDS = z.object({});

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix: string = BODY): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldIssuesFromZod(parsed.error, prefix));
  return parsed.data;
}

/** One field-level issue as a ValidationError, e.g. invalidField('ownerId', 'No such user'). */
export function invalidField(field: string, message: string, prefix: string = BODY): ValidationError {
  return new ValidationError([{ field: prefix ? `${prefix}/${field}` : field, message }], message);
}

/** Field issues keyed by field name without the "body/" prefix; the first message per field wins. */
export function fieldErrorMap(issues: readonly FieldIssue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const field = issue.field.startsWith(`${BODY}/`) ? issue.field.slice(BODY.length + 1) : issue.field;
    out[field] ??= issue.message;
  }
  return out;
}

/** True when a Prisma error is a unique-constraint violation (P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 'P2002';
}

const NUL = '\u0000';

/** NUL, or a lone UTF-16 surrogate (JSON's "\ud800" parses to one): neither can be stored as UTF-8 text. */
const LONE_SURROGATE = /\p{Cs}/u;
const unstorable = (text: string) => text.includes(NUL) || LONE_SURROGATE.test(text);

/**
 * The path of the first string (or object key) containing a NUL character or an unpaired surrogate,
 * or null. PostgreSQL text cannot store either, so they are refused where input is parsed (handle()
 * and authAction) rather than per schema.
 */
export function nulCharacterPath(value: unknown, path: string[] = [], depth = 0): string[] | null {
  if (typeof value === 'string') return unstorable(value) ? path : null;
  if (depth > 64 || value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulCharacterPath(value[i], [...path, String(i)], depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    if (unstorable(key)) return [...path, key.replaceAll(NUL, '\\u0000').replace(/\p{Cs}/gu, '\uFFFD')];
    const found = nulCharacterPath(item, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

/** Throws a ValidationError naming the field when `value` contains a NUL character anywhere. */
export function assertNoNulCharacters(value: unknown, prefix: string): void {
  const found = nulCharacterPath(value);
  if (found) {
    throw new ValidationError(
      [{ field: [prefix, ...found].filter(Boolean).join('/') || '(root)', message: 'Must not contain NUL (\\u0000) characters or unpaired surrogates.' }],
      'The request contains a NUL character or an unpaired surrogate.',
    );
  }
}

type SchemaDef = { type: string; innerType?: z.ZodType; in?: z.ZodType; shape?: Record<string, z.ZodType> };
const defOf = (schema: z.ZodType) => (schema as unknown as { def: SchemaDef }).def;

/** The schema under optional/nullable/default/pipe wrappers, and whether null is accepted. */
function unwrap(schema: z.ZodType): { core: SchemaDef; nullable: boolean } {
  let current = schema;
  let nullable = false;
  for (let i = 0; i < 20; i++) {
    const def = defOf(current);
    if (def.type === 'nullable') nullable = true;
    const next = def.type === 'pipe' ? def.in : ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type) ? def.innerType : undefined;
    if (!next) return { core: def, nullable };
    current = next;
  }
  return { core: defOf(current), nullable };
}

/**
 * FormData as the plain object an object `schema` expects, by each field's type: arrays take every
 * value of the name (checkbox groups, multi-selects; none sent = []), booleans are checkboxes (present = true,
 * unless the value is "false"), numbers are parsed ("" = null where the field is nullable, else
 * absent), files are kept as File, everything else is the string as typed. Names the schema does
 * not declare are left out (Next adds `$ACTION_…` fields).
 */
export function formInput(schema: z.ZodType, form: FormData): Record<string, unknown> {
  const { core } = unwrap(schema);
  const out: Record<string, unknown> = {};
  if (core.type !== 'object' || !core.shape) {
    for (const key of new Set(form.keys())) if (!key.startsWith('$')) out[key] = form.get(key);
    return out;
  }
  for (const [name, field] of Object.entries(core.shape)) {
    const { core: fieldDef, nullable } = unwrap(field);
    const values = form.getAll(name);
    const first = values[0];
    switch (fieldDef.type) {
      case 'array':
        // An unticked checkbox group sends nothing: that is an empty list, not "unchanged".
        out[name] = values;
        break;
      case 'boolean':
        out[name] = first !== undefined && first !== 'false';
        break;
      case 'number':
      case 'int':
      case 'bigint': {
        if (typeof first !== 'string') break;
        const text = first.trim();
        if (text === '') {
          if (nullable) out[name] = null;
        } else out[name] = Number(text);
        break;
      }
      default:
        if (first !== undefined) out[name] = first;
    }
  }
  return out;
}

/** Parses FormData with an object schema (see formInput); NUL characters and zod issues become a ValidationError. */
export function parseForm<S extends z.ZodType>(schema: S, form: FormData): z.output<S> {
  // Every posted field, not only the schema's: actions also read provider-specific fields from the form.
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') assertNoNulCharacters({ [name]: value }, '');
  }
  const input = formInput(schema, form);
  return parseInput(schema, input, '');
}
