// The engine's per-VM bookkeeping in one statement. A provisioning step changes a job and maybe an
// item and the request, and each change needs its timeline event and audit row. Written one
// `transitionItem` / `appendTimeline` / `recordAudit` at a time that was ~25 statements per VM, and
// on a 2-core box each Prisma round trip costs ~0.3 ms of the worker's CPU — the engine spent more
// time on bookkeeping than on the provider. This module collects the same rows and writes them as
// CTEs of one statement (see `writeSql`), in the caller's transaction, under the request row lock
// the caller holds.
//
// The rows are the ones the canonical writers produce: events and audit rows are built by
// `appendTimeline` and `recordAudit` themselves (into a collector instead of the database), so
// length limits and secret redaction stay theirs; transitions are checked with the state machine's
// own tables and record the same events and audit shapes as `transitionItem` / `transitionRequest`
// (bookkeeping.test.ts compares them row by row).
import { Prisma } from '@/generated/prisma/client';
import type { RequestItemStatus, RequestStatus } from '@/generated/prisma/enums';
import { recordAudit, type AuditContext, type AuditEntry } from '../audit/record';
import { ConflictError } from '../errors';
import { appendTimeline, type TimelineEntry } from '../requests/timeline';
import { canTransitionItem, canTransitionRequest, type TransitionEvent } from '../requests/state-machine';
import type { Query } from './sql';

type EventRow = Prisma.RequestEventUncheckedCreateInput;
type AuditRow = Prisma.AuditEventUncheckedCreateInput;

/** Marks a row whose VM id is only known inside the statement (the Vm upsert's RETURNING). */
interface VmRef {
  vmRef?: boolean;
}

const LABEL = (s: string) => s.replace(/_/g, ' ');

export class Bookkeeping {
  private readonly events: (EventRow & VmRef)[] = [];
  private readonly audits: (AuditRow & VmRef)[] = [];
  private readonly items: { id: string; from: RequestItemStatus; to: RequestItemStatus }[] = [];
  private request: { id: string; from: RequestStatus; to: RequestStatus } | null = null;
  /** appendTimeline / recordAudit write through this: the rows are kept, not sent. */
  private readonly collector: Prisma.TransactionClient;
  private readonly at: Date;

  constructor(readonly audit: AuditContext, at: Date = new Date()) {
    this.at = at;
    const events = this.events;
    const audits = this.audits;
    const collect = { requestEvent: { create: async ({ data }: { data: EventRow }) => void events.push(data) }, auditEvent: { create: async ({ data }: { data: AuditRow }) => void audits.push(data) } };
    // Only the two delegates the writers call exist; anything else would throw in tests at once.
    this.collector = collect as unknown as Prisma.TransactionClient;
  }

  get empty(): boolean {
    return this.events.length === 0 && this.audits.length === 0 && this.items.length === 0 && !this.request;
  }

  async timeline(entry: TimelineEntry, options: VmRef = {}): Promise<void> {
    await appendTimeline(this.collector, entry);
    if (options.vmRef) this.events[this.events.length - 1]!.vmRef = true;
  }

  async record(entry: AuditEntry, options: VmRef = {}): Promise<void> {
    await recordAudit(this.collector, this.audit, entry);
    if (options.vmRef) this.audits[this.audits.length - 1]!.vmRef = true;
  }

  /** transitionRequest's checks, event and audit row; the caller read `from` under the row lock. */
  async requestTransition(requestId: string, number: number, from: RequestStatus, to: RequestStatus, event: Omit<TransitionEvent, 'audit'>): Promise<void> {
    if (!canTransitionRequest(from, to)) throw new ConflictError(`Request REQ-${number} cannot go from ${LABEL(from)} to ${LABEL(to)}.`);
    this.request = { id: requestId, from, to };
    await this.timeline({ requestId, type: event.type, message: event.message, actorLabel: this.audit.actor.label, data: event.data });
    await this.record({
      action: `request.${to}`,
      targetType: 'request',
      targetId: requestId,
      before: { status: from },
      after: { status: to, event: event.type, ...(event.data ? { data: event.data } : {}) },
    });
  }

  /** transitionItem's checks, event and audit row; the caller read `from` under the request lock. */
  async itemTransition(item: { id: string; requestId: string; name: string }, from: RequestItemStatus, to: RequestItemStatus, event: Omit<TransitionEvent, 'audit'>): Promise<void> {
    if (!canTransitionItem(from, to)) throw new ConflictError(`Item ${item.name} cannot go from ${LABEL(from)} to ${LABEL(to)}.`);
    this.items.push({ id: item.id, from, to });
    await this.timeline({ requestId: item.requestId, itemId: item.id, type: event.type, message: event.message, actorLabel: this.audit.actor.label, data: event.data });
    await this.record({
      action: `request_item.${to}`,
      targetType: 'request_item',
      targetId: item.id,
      before: { status: from },
      after: { status: to, requestId: item.requestId, event: event.type },
    });
  }

  /**
   * The CTEs that apply everything collected: `bk_items` / `bk_request` (guarded by the status read
   * under the lock), `bk_events`, `bk_audits`. `vmId` is an SQL expression for rows marked `vmRef`
   * (else NULL). `statement` wraps them with the guard.
   */
  ctes(vmId: Prisma.Sql = Prisma.sql`NULL::text`): Prisma.Sql {
    const at = this.at.toISOString();
    // An absent `data` / `before` / `after` stays absent in the JSON, so the column is SQL NULL as with Prisma.
    const events = this.events.map((e, ord) => ({ ...e, ord }));
    const audits = this.audits.map((a, ord) => ({ ...a, ord }));
    const request = this.request;
    // Timestamps travel as UTC ISO text cast to timestamp(3): the columns are "without time zone" in UTC.
    return Prisma.sql`
      bk_items AS (
        UPDATE "RequestItem" i SET status = s."to"::"RequestItemStatus", "updatedAt" = ${at}::timestamp(3)
          FROM jsonb_to_recordset(${JSON.stringify(this.items)}::jsonb) AS s(id text, "from" text, "to" text)
         WHERE i.id = s.id AND i.status::text = s."from"
        RETURNING i.id),
      bk_request AS (
        UPDATE "Request" SET status = ${request?.to ?? null}::"RequestStatus", "updatedAt" = ${at}::timestamp(3),
               "submittedAt" = CASE WHEN status = 'draft' THEN ${at}::timestamp(3) ELSE "submittedAt" END,
               "decidedAt" = CASE WHEN ${request?.to ?? null}::text IN ('approved', 'rejected') THEN ${at}::timestamp(3) ELSE "decidedAt" END,
               "completedAt" = CASE WHEN ${request?.to ?? null}::text IN ('completed', 'failed', 'cancelled') THEN ${at}::timestamp(3)
                                    WHEN ${request?.to ?? null}::text = 'provisioning' THEN NULL ELSE "completedAt" END
         WHERE id = ${request?.id ?? null}::text AND status::text = ${request?.from ?? null}::text
        RETURNING id),
      bk_events AS (
        INSERT INTO "RequestEvent" ("requestId", "itemId", "at", "type", "message", "actorLabel", "data")
        SELECT e."requestId", e."itemId", ${at}::timestamp(3), e."type", e."message", e."actorLabel",
               CASE WHEN e."vmRef" THEN COALESCE(e."data", '{}'::jsonb) || jsonb_build_object('vmId', ${vmId}) ELSE e."data" END
          FROM jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
            AS e(ord int, "requestId" text, "itemId" text, "type" text, "message" text, "actorLabel" text, "data" jsonb, "vmRef" boolean)
         ORDER BY e.ord
        RETURNING 1),
      bk_audits AS (
        INSERT INTO "AuditEvent" ("at", "actorType", "actorId", "actorLabel", "action", "targetType", "targetId", "before", "after", "requestId", "ip")
        SELECT ${at}::timestamp(3), a."actorType"::"ActorType", a."actorId", a."actorLabel", a."action", a."targetType",
               CASE WHEN a."vmRef" THEN ${vmId} ELSE a."targetId" END, a."before", a."after", a."requestId", a."ip"
          FROM jsonb_to_recordset(${JSON.stringify(audits)}::jsonb)
            AS a(ord int, "actorType" text, "actorId" text, "actorLabel" text, "action" text, "targetType" text, "targetId" text,
                 "before" jsonb, "after" jsonb, "requestId" text, "ip" text, "vmRef" boolean)
         ORDER BY a.ord
        RETURNING 1),
      bk_counts AS (
        SELECT (SELECT count(*) FROM bk_items)::int AS items, (SELECT count(*) FROM bk_request)::int AS requests,
               (SELECT count(*) FROM bk_events)::int AS events, (SELECT count(*) FROM bk_audits)::int AS audits)`;
  }

  /**
   * One statement: the caller's own CTEs (`before`, may be empty), then this book's, then a guard
   * that fails the statement — and so the transaction — when a guarded transition found another
   * status than the one read under the lock (a concurrent change would otherwise be a double
   * move), or when `required` (an SQL condition over the caller's CTEs) is false. The guard raises
   * through a cast of a message that names the counts, so the statement needs no PL/pgSQL and a
   * `… ; COMMIT` sent with it never runs.
   */
  statement(options: { before?: Prisma.Sql; vmId?: Prisma.Sql; required?: Prisma.Sql } = {}): Prisma.Sql {
    const before = options.before ? Prisma.sql`${options.before},` : Prisma.empty;
    const required = options.required ?? Prisma.sql`TRUE`;
    return Prisma.sql`
      WITH ${before} ${this.ctes(options.vmId)}
      SELECT CASE WHEN c.items = ${this.items.length} AND c.requests = ${this.request ? 1 : 0} AND (${required}) THEN c.events
                  ELSE CAST(('provisioning bookkeeping: the request changed under its lock (items ' || c.items || ', requests ' || c.requests || ')') AS int) END AS events
        FROM bk_counts c`;
  }

  /** Writes everything collected in one statement (nothing else to change in it). */
  async write(query: Query): Promise<void> {
    if (this.empty) return;
    await query(this.statement());
  }
}
