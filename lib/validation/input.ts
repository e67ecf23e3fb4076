// Input validation shared by lib/ services and the server actions that call them: lib parses its
// input with the same zod schema the API uses and reports field paths under "body/", so an API
// client and a form see the same field names (forms strip the prefix with fieldErrorMap).
import type { z } from 'zod';
import { fieldIssuesFromZod, ValidationError, type FieldIssue } from '../errors';

export const BODY = 'body';

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
