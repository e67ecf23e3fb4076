// The request timeline (contract 4): one RequestEvent row per thing that happened to a request or
// one of its items, written in the caller's transaction so an event exists iff its change committed.
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';

export type Tx = Prisma.TransactionClient | Db;

/** Event types used across areas; other strings are allowed, these are the ones the UI knows. */
export const TIMELINE_TYPES = [
  'created',
  'draft_saved',
  'submitted',
  'auto_approved',
  'approval_requested',
  'step_approved',
  'step_rejected',
  'step_skipped',
  'step_timed_out',
  'approved',
  'rejected',
  'cancelled',
  'provisioning_started',
  'vm_creating',
  'vm_created',
  'item_retry_scheduled',
  'item_failed',
  'item_retried',
  'completed',
  'failed',
  'notification_failed',
] as const;
export type TimelineType = (typeof TIMELINE_TYPES)[number];

export interface TimelineEntry {
  requestId: string;
  itemId?: string;
  type: string;
  message: string;
  actorLabel?: string;
  data?: Record<string, unknown>;
}

// Bounds so a misbehaving caller (or a provider's very long error) cannot bloat the table.
const MAX_TYPE = 64;
const MAX_MESSAGE = 2000;

export async function appendTimeline(tx: Tx, entry: TimelineEntry): Promise<void> {
  await tx.requestEvent.create({
    data: {
      requestId: entry.requestId,
      itemId: entry.itemId ?? null,
      type: entry.type.slice(0, MAX_TYPE),
      message: entry.message.slice(0, MAX_MESSAGE),
      actorLabel: entry.actorLabel?.slice(0, 320) ?? null,
      data: entry.data === undefined ? undefined : (JSON.parse(JSON.stringify(entry.data)) as Prisma.InputJsonValue),
    },
  });
}

export interface TimelineView {
  at: string;
  type: string;
  message: string;
  itemId: string | null;
  actorLabel: string | null;
  data: Record<string, unknown> | null;
}

/** A request's timeline, oldest first (id breaks ties between events of the same millisecond). */
export async function readTimeline(db: Tx, requestId: string): Promise<TimelineView[]> {
  const rows = await db.requestEvent.findMany({ where: { requestId }, orderBy: [{ at: 'asc' }, { id: 'asc' }], take: 2000 });
  return rows.map((r) => ({
    at: r.at.toISOString(),
    type: r.type,
    message: r.message,
    itemId: r.itemId,
    actorLabel: r.actorLabel,
    data: r.data && typeof r.data === 'object' && !Array.isArray(r.data) ? (r.data as Record<string, unknown>) : null,
  }));
}
