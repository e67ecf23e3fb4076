// The one state machine for requests and request items (contract 4). Every transition locks the
// row, refuses illegal moves with a 409 that names from→to, stamps the timestamps, appends a
// timeline event and writes an audit row — all in the caller's transaction.
import type { RequestItemStatus, RequestStatus } from '@/generated/prisma/enums';
import { recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { ConflictError, NotFoundError } from '../errors';
import { appendTimeline, type Tx } from './timeline';

export const REQUEST_TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  draft: ['pending_approval', 'approved', 'rejected', 'cancelled'],
  pending_approval: ['approved', 'rejected', 'cancelled'],
  approved: ['provisioning', 'cancelled'],
  provisioning: ['completed', 'failed'],
  failed: ['provisioning'],
  completed: [],
  rejected: [],
  cancelled: [],
};

export const ITEM_TRANSITIONS: Readonly<Record<RequestItemStatus, readonly RequestItemStatus[]>> = {
  pending: ['provisioning', 'cancelled'],
  provisioning: ['provisioned', 'failed'],
  failed: ['provisioning'],
  provisioned: [],
  cancelled: [],
};

/** Statuses whose VMs count against quota and budget without existing yet. */
export const IN_FLIGHT_STATUSES: readonly RequestStatus[] = ['pending_approval', 'approved', 'provisioning'];

export function canTransitionRequest(from: RequestStatus, to: RequestStatus): boolean {
  return REQUEST_TRANSITIONS[from].includes(to);
}

export function canTransitionItem(from: RequestItemStatus, to: RequestItemStatus): boolean {
  return ITEM_TRANSITIONS[from].includes(to);
}

export interface TransitionEvent {
  audit: AuditContext;
  type: string;
  message: string;
  data?: Record<string, unknown>;
}

const LABEL = (s: string) => s.replace(/_/g, ' ');

/** Runs `fn` in `tx` when it already is a transaction, else opens one (so FOR UPDATE holds). */
async function inTransaction<T>(tx: Tx, fn: (t: Tx) => Promise<T>): Promise<T> {
  // Prisma 7's transaction client also has $transaction (a SAVEPOINT per call); only the root client has
  // $connect, so a caller's transaction is reused as it is instead of paying a savepoint per transition.
  if (typeof (tx as Db).$connect === 'function') return (tx as Db).$transaction((t) => fn(t));
  return fn(tx);
}

export async function transitionRequest(tx: Tx, requestId: string, to: RequestStatus, event: TransitionEvent): Promise<void> {
  await inTransaction(tx, async (t) => {
    const rows = await t.$queryRaw<{ status: RequestStatus; number: number }[]>`
      SELECT status, number FROM "Request" WHERE id = ${requestId} FOR UPDATE`;
    const row = rows[0];
    if (!row) throw new NotFoundError(`Request ${requestId}`);
    const from = row.status;
    if (!canTransitionRequest(from, to)) {
      throw new ConflictError(
        `Request REQ-${row.number} cannot go from ${LABEL(from)} to ${LABEL(to)}` +
          (REQUEST_TRANSITIONS[from].length ? ` (allowed: ${REQUEST_TRANSITIONS[from].map(LABEL).join(', ')}).` : ` (${LABEL(from)} is final).`),
      );
    }
    const now = new Date();
    await t.request.update({
      where: { id: requestId },
      data: {
        status: to,
        ...(from === 'draft' ? { submittedAt: now } : {}),
        ...(to === 'approved' || to === 'rejected' ? { decidedAt: now } : {}),
        ...(to === 'completed' || to === 'failed' || to === 'cancelled' ? { completedAt: now } : {}),
        ...(to === 'provisioning' ? { completedAt: null } : {}),
      },
    });
    await appendTimeline(t, { requestId, type: event.type, message: event.message, actorLabel: event.audit.actor.label, data: event.data });
    await recordAudit(t, event.audit, {
      action: `request.${to}`,
      targetType: 'request',
      targetId: requestId,
      before: { status: from },
      after: { status: to, event: event.type, ...(event.data ? { data: event.data } : {}) },
    });
  });
}

export async function transitionItem(tx: Tx, itemId: string, to: RequestItemStatus, event: TransitionEvent): Promise<void> {
  await inTransaction(tx, async (t) => {
    const rows = await t.$queryRaw<{ status: RequestItemStatus; requestId: string; name: string }[]>`
      SELECT status, "requestId", name FROM "RequestItem" WHERE id = ${itemId} FOR UPDATE`;
    const row = rows[0];
    if (!row) throw new NotFoundError(`Request item ${itemId}`);
    const from = row.status;
    if (!canTransitionItem(from, to)) {
      throw new ConflictError(
        `Item ${row.name} cannot go from ${LABEL(from)} to ${LABEL(to)}` +
          (ITEM_TRANSITIONS[from].length ? ` (allowed: ${ITEM_TRANSITIONS[from].map(LABEL).join(', ')}).` : ` (${LABEL(from)} is final).`),
      );
    }
    await t.requestItem.update({ where: { id: itemId }, data: { status: to } });
    await appendTimeline(t, {
      requestId: row.requestId,
      itemId,
      type: event.type,
      message: event.message,
      actorLabel: event.audit.actor.label,
      data: event.data,
    });
    await recordAudit(t, event.audit, {
      action: `request_item.${to}`,
      targetType: 'request_item',
      targetId: itemId,
      before: { status: from },
      after: { status: to, requestId: row.requestId, event: event.type },
    });
  });
}
