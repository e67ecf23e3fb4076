import { z } from 'zod';
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';

const MAX_BIGINT = 9_223_372_036_854_775_807n;
const MIN_INSTANT = Date.UTC(1970, 0, 1);
const MAX_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * A date filter from the query string: YYYY-MM-DD (a real calendar day; `end` means its last
 * millisecond) or an ISO 8601 date-time, between 1970 and 9999 so PostgreSQL can compare it.
 */
function queryInstant(bound: 'start' | 'end') {
  return z
    .string()
    .trim()
    .max(40)
    .transform((text, ctx) => {
      const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      let at: Date;
      if (day) {
        const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
        at = new Date(Date.UTC(y, m - 1, d));
        if (at.getUTCFullYear() !== y || at.getUTCMonth() !== m - 1 || at.getUTCDate() !== d) {
          ctx.addIssue({ code: 'custom', message: `${text} is not a calendar date` });
          return z.NEVER;
        }
        if (bound === 'end') at = new Date(at.getTime() + 86_399_999);
      } else if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})?$/.test(text)) {
        at = new Date(text);
      } else {
        ctx.addIssue({ code: 'custom', message: 'Use a date (YYYY-MM-DD) or an ISO 8601 date-time' });
        return z.NEVER;
      }
      if (Number.isNaN(at.getTime()) || at.getTime() < MIN_INSTANT || at.getTime() > MAX_INSTANT) {
        ctx.addIssue({ code: 'custom', message: `${text} is not a valid date between 1970 and 9999` });
        return z.NEVER;
      }
      return at;
    });
}

export const auditFilterSchema = z.object({
  actor: z.string().trim().max(200).optional(),
  action: z.string().trim().max(100).optional(),
  targetType: z.string().trim().max(100).optional(),
  targetId: z.string().trim().max(200).optional(),
  from: queryInstant('start').optional(),
  /** Inclusive; a bare date (YYYY-MM-DD) includes that whole day (UTC). */
  to: queryInstant('end').optional(),
  /** Keyset cursor: the id of the last event of the previous page (a positive bigint). */
  cursor: z
    .string()
    .trim()
    .max(19, 'cursor is beyond the range of audit event ids')
    .regex(/^\d{1,19}$/, 'cursor is the id of an audit event (digits)')
    .transform((v) => BigInt(v))
    .refine((v) => v > 0n && v <= MAX_BIGINT, 'cursor is beyond the range of audit event ids')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export const auditEventViewSchema = z.object({
  id: z.string(),
  at: z.string(),
  actorType: z.string(),
  actorLabel: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
});

export const auditEventPageSchema = z.object({
  events: z.array(auditEventViewSchema),
  /** Pass as `cursor` to get the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});

export interface AuditEventView {
  id: string;
  at: string;
  actorType: string;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

/** Newest first, keyset-paged (stable under concurrent inserts, unlike OFFSET). */
export async function listAuditEvents(db: Db, filter: AuditFilter) {
  const where: Prisma.AuditEventWhereInput = {
    ...(filter.actor ? { actorLabel: { contains: filter.actor, mode: 'insensitive' } } : {}),
    ...(filter.action ? { action: { startsWith: filter.action } } : {}),
    ...(filter.targetType ? { targetType: filter.targetType } : {}),
    ...(filter.targetId ? { targetId: filter.targetId } : {}),
    ...(filter.from || filter.to ? { at: { gte: filter.from, lte: filter.to } } : {}),
    ...(filter.cursor !== undefined ? { id: { lt: filter.cursor } } : {}),
  };
  const rows = await db.auditEvent.findMany({ where, orderBy: { id: 'desc' }, take: filter.limit + 1 });
  const page = rows.slice(0, filter.limit);
  const events: AuditEventView[] = page.map((e) => ({
    id: e.id.toString(),
    at: e.at.toISOString(),
    actorType: e.actorType,
    actorLabel: e.actorLabel,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    before: e.before,
    after: e.after,
    requestId: e.requestId,
  }));
  return { events, nextCursor: rows.length > filter.limit ? page.at(-1)!.id.toString() : null };
}

/** Drop empty values (an HTML GET form sends every field, blank or not) before parsing a filter. */
export function compactFilterInput(input: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(input)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && first.trim() !== '') out[key] = first.trim();
  }
  return out;
}

export interface AuditDiffLine {
  /** Dotted path of the changed value, e.g. "settings.endpoint"; "(value)" for a non-object. */
  path: string;
  kind: 'added' | 'removed' | 'changed' | 'unchanged';
  before?: unknown;
  after?: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A flat, per-field comparison of an event's before/after (objects are walked, arrays compared whole). */
export function diffAuditValues(before: unknown, after: unknown, prefix = ''): AuditDiffLine[] {
  if (!isPlainObject(before) || !isPlainObject(after)) {
    if (before === undefined && after === undefined) return [];
    if (isPlainObject(after) && (before === undefined || before === null)) {
      return Object.keys(after).sort().flatMap((key) => diffAuditValues(undefined, after[key], prefix ? `${prefix}.${key}` : key));
    }
    if (isPlainObject(before) && (after === undefined || after === null)) {
      return Object.keys(before).sort().flatMap((key) => diffAuditValues(before[key], undefined, prefix ? `${prefix}.${key}` : key));
    }
    const path = prefix || '(value)';
    if (before === undefined || before === null) return after === undefined || after === null ? [] : [{ path, kind: 'added', after }];
    if (after === undefined || after === null) return [{ path, kind: 'removed', before }];
    const same = JSON.stringify(before) === JSON.stringify(after);
    return [{ path, kind: same ? 'unchanged' : 'changed', before, after }];
  }
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => diffAuditValues(before[key], after[key], prefix ? `${prefix}.${key}` : key));
}
