// The audit trail: one append-only row per state change (the table rejects UPDATE/DELETE).
// Callers pass the transaction that makes the change, so the change and its audit row commit
// together or not at all.
import { randomUUID } from 'node:crypto';
import type { Prisma } from '@/generated/prisma/client';
import type { ActorType } from '@/generated/prisma/enums';
import type { Db } from '../db/client';

export interface Actor {
  type: ActorType;
  id?: string;
  label: string;
}

/** Who acts and in which HTTP request / job run; created once per request by lib/api (actor: lib/auth/principal.ts actorOf). */
export interface AuditContext {
  actor: Actor;
  requestId: string;
  ip?: string;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', label: 'system' };

export function auditContext(actor: Actor, requestId: string = randomUUID(), ip?: string): AuditContext {
  return { actor, requestId, ip };
}

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
}

type Writer = Pick<Db, 'auditEvent'> | Prisma.TransactionClient;

/** Secrets never reach the audit log, whatever a caller passes in. */
const REDACTED_KEYS = /secret|password|token|credential|private/i;

function redact(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) => (key && REDACTED_KEYS.test(key) ? '[redacted]' : v)),
  ) as Prisma.InputJsonValue;
}

export async function recordAudit(writer: Writer, context: AuditContext, entry: AuditEntry): Promise<void> {
  await writer.auditEvent.create({
    data: {
      actorType: context.actor.type,
      actorId: context.actor.id,
      actorLabel: context.actor.label,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      before: redact(entry.before),
      after: redact(entry.after),
      requestId: context.requestId,
      ip: context.ip,
    },
  });
}
