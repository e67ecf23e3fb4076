import { z } from 'zod';
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';

export const auditFilterSchema = z.object({
  actor: z.string().trim().max(200).optional(),
  action: z.string().trim().max(100).optional(),
  targetType: z.string().trim().max(100).optional(),
  targetId: z.string().trim().max(200).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  /** Keyset cursor: the id of the last event of the previous page. */
  cursor: z.coerce.bigint().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

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
