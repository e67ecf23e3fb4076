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

/**
 * When a row is written: always (absent), only when a conditional transition's update matched
 * (`request`, `item:<id>`), or only when a named condition of the statement holds (`when:<name>`).
 */
interface Cond {
  cond?: string;
}

export interface TransitionOptions {
  /**
   * Apply the move only when the row is in `from` when the statement runs, instead of failing the
   * statement otherwise; its event and audit row are written only when it applied. For a caller
   * that sends its writes with the read (one round trip) and so decides in SQL, under the lock.
   */
  ifFrom?: boolean;
}

const LABEL = (s: string) => s.replace(/_/g, ' ');

/**
 * Rows decided in SQL by the caller's CTEs (the record's settle, see provision.ts): SELECTs with the
 * columns of `bk_events` / `bk_audits` plus `ord`, written after the collected rows (whose `ord`
 * is their index) when the gate holds. `at` is the book's own timestamp.
 */
export interface ExtraRows {
  /** Columns: ord, "requestId", "itemId", "type", "message", "actorLabel", "data" (jsonb). */
  events?: Prisma.Sql;
  /** Columns: ord, "actorType" (text), "actorId", "actorLabel", "action", "targetType", "targetId", "before", "after", "requestId", "ip". */
  audits?: Prisma.Sql;
}

export class Bookkeeping {
  private readonly events: (EventRow & VmRef & Cond)[] = [];
  private readonly audits: (AuditRow & VmRef & Cond)[] = [];
  private readonly items: { id: string; from: RequestItemStatus; to: RequestItemStatus; cond: boolean }[] = [];
  private request: { id: string; from: RequestStatus; to: RequestStatus; cond: boolean } | null = null;
  /** The condition rows collected now are written under (see Cond). */
  private cond: string | undefined;
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

  /** `when`: written only when the statement's condition of that name holds (statement({ conditions })). */
  async timeline(entry: TimelineEntry, options: VmRef & { when?: string } = {}): Promise<void> {
    await appendTimeline(this.collector, entry);
    const row = this.events[this.events.length - 1]!;
    if (options.vmRef) row.vmRef = true;
    const cond = options.when ? `when:${options.when}` : this.cond;
    if (cond) row.cond = cond;
  }

  async record(entry: AuditEntry, options: VmRef = {}): Promise<void> {
    await recordAudit(this.collector, this.audit, entry);
    const row = this.audits[this.audits.length - 1]!;
    if (options.vmRef) row.vmRef = true;
    if (this.cond) row.cond = this.cond;
  }

  /** Collects the rows `write` adds under `cond`. */
  private async under(cond: string | undefined, write: () => Promise<void>): Promise<void> {
    const outer = this.cond;
    this.cond = cond;
    try {
      await write();
    } finally {
      this.cond = outer;
    }
  }

  /** transitionRequest's checks, event and audit row; the caller read `from` under the row lock. */
  async requestTransition(requestId: string, number: number | null, from: RequestStatus, to: RequestStatus, event: Omit<TransitionEvent, 'audit'>, options: TransitionOptions = {}): Promise<void> {
    if (!canTransitionRequest(from, to)) throw new ConflictError(`Request ${number === null ? requestId : `REQ-${number}`} cannot go from ${LABEL(from)} to ${LABEL(to)}.`);
    this.request = { id: requestId, from, to, cond: options.ifFrom ?? false };
    await this.under(options.ifFrom ? 'request' : undefined, () => this.requestRows(requestId, from, to, event));
  }

  private async requestRows(requestId: string, from: RequestStatus, to: RequestStatus, event: Omit<TransitionEvent, 'audit'>): Promise<void> {
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
  async itemTransition(item: { id: string; requestId: string; name: string }, from: RequestItemStatus, to: RequestItemStatus, event: Omit<TransitionEvent, 'audit'>, options: TransitionOptions = {}): Promise<void> {
    if (!canTransitionItem(from, to)) throw new ConflictError(`Item ${item.name} cannot go from ${LABEL(from)} to ${LABEL(to)}.`);
    this.items.push({ id: item.id, from, to, cond: options.ifFrom ?? false });
    await this.under(options.ifFrom ? `item:${item.id}` : undefined, () => this.itemRows(item, from, to, event));
  }

  private async itemRows(item: { id: string; requestId: string; name: string }, from: RequestItemStatus, to: RequestItemStatus, event: Omit<TransitionEvent, 'audit'>): Promise<void> {
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
   * under the lock, or conditional: `ifFrom`), `bk_events`, `bk_audits`. `vmId` is an SQL expression
   * for rows marked `vmRef` (else NULL). `gate`: nothing applies unless it holds. `conditions`: the
   * named conditions of `timeline(…, { when })`. `statement` wraps them with the guard.
   */
  ctes(vmId: Prisma.Sql = Prisma.sql`NULL::text`, gate: Prisma.Sql = Prisma.sql`TRUE`, conditions: Record<string, Prisma.Sql> = {}, extra: ExtraRows = {}): Prisma.Sql {
    const at = this.at.toISOString();
    // An absent `data` / `before` / `after` stays absent in the JSON, so the column is SQL NULL as with Prisma.
    const events = this.events.map((e, ord) => ({ ...e, ord }));
    const audits = this.audits.map((a, ord) => ({ ...a, ord }));
    const request = this.request;
    // A row is written when unconditional, when its conditional transition applied, or when its named condition holds.
    const named = Object.entries(conditions).map(([name, sql]) => Prisma.sql` OR (x.cond = ${`when:${name}`} AND (${sql}))`);
    const written = Prisma.sql`(${gate}) AND (x.cond IS NULL
      OR (x.cond = 'request' AND EXISTS (SELECT 1 FROM bk_request))
      OR (x.cond LIKE 'item:%' AND substr(x.cond, 6) IN (SELECT id FROM bk_items))${named.length ? Prisma.join(named, '') : Prisma.empty})`;
    // Timestamps travel as UTC ISO text cast to timestamp(3): the columns are "without time zone" in UTC.
    return Prisma.sql`
      bk_items AS (
        UPDATE "RequestItem" i SET status = s."to"::"RequestItemStatus", "updatedAt" = ${at}::timestamp(3)
          FROM jsonb_to_recordset(${JSON.stringify(this.items)}::jsonb) AS s(id text, "from" text, "to" text, cond boolean)
         WHERE i.id = s.id AND i.status::text = s."from" AND (${gate})
        RETURNING i.id, s.cond),
      bk_request AS (
        UPDATE "Request" SET status = ${request?.to ?? null}::"RequestStatus", "updatedAt" = ${at}::timestamp(3),
               "submittedAt" = CASE WHEN status = 'draft' THEN ${at}::timestamp(3) ELSE "submittedAt" END,
               "decidedAt" = CASE WHEN ${request?.to ?? null}::text IN ('approved', 'rejected') THEN ${at}::timestamp(3) ELSE "decidedAt" END,
               "completedAt" = CASE WHEN ${request?.to ?? null}::text IN ('completed', 'failed', 'cancelled') THEN ${at}::timestamp(3)
                                    WHEN ${request?.to ?? null}::text = 'provisioning' THEN NULL ELSE "completedAt" END
         WHERE id = ${request?.id ?? null}::text AND status::text = ${request?.from ?? null}::text AND (${gate})
        RETURNING id),
      bk_events AS (
        INSERT INTO "RequestEvent" ("requestId", "itemId", "at", "type", "message", "actorLabel", "data")
        SELECT u."requestId", u."itemId", ${at}::timestamp(3), u."type", u."message", u."actorLabel", u."data"
          FROM (SELECT x."requestId", x."itemId", x."type", x."message", x."actorLabel",
                       CASE WHEN x."vmRef" THEN COALESCE(x."data", '{}'::jsonb) || jsonb_build_object('vmId', ${vmId}) ELSE x."data" END AS "data", x.ord
                  FROM jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
                    AS x(ord int, "requestId" text, "itemId" text, "type" text, "message" text, "actorLabel" text, "data" jsonb, "vmRef" boolean, cond text)
                 WHERE ${written}
                ${extra.events ? Prisma.sql`UNION ALL SELECT e."requestId", e."itemId", e."type", e."message", e."actorLabel", e."data", e.ord FROM (${extra.events}) AS e WHERE ${gate}` : Prisma.empty}) u
         ORDER BY u.ord
        RETURNING 1),
      bk_audits AS (
        INSERT INTO "AuditEvent" ("at", "actorType", "actorId", "actorLabel", "action", "targetType", "targetId", "before", "after", "requestId", "ip")
        SELECT ${at}::timestamp(3), u."actorType"::"ActorType", u."actorId", u."actorLabel", u."action", u."targetType", u."targetId", u."before", u."after", u."requestId", u."ip"
          FROM (SELECT x."actorType", x."actorId", x."actorLabel", x."action", x."targetType",
                       CASE WHEN x."vmRef" THEN ${vmId} ELSE x."targetId" END AS "targetId", x."before", x."after", x."requestId", x."ip", x.ord
                  FROM jsonb_to_recordset(${JSON.stringify(audits)}::jsonb)
                    AS x(ord int, "actorType" text, "actorId" text, "actorLabel" text, "action" text, "targetType" text, "targetId" text,
                         "before" jsonb, "after" jsonb, "requestId" text, "ip" text, "vmRef" boolean, cond text)
                 WHERE ${written}
                ${extra.audits ? Prisma.sql`UNION ALL SELECT a."actorType", a."actorId", a."actorLabel", a."action", a."targetType", a."targetId", a."before", a."after", a."requestId", a."ip", a.ord FROM (${extra.audits}) AS a WHERE ${gate}` : Prisma.empty}) u
         ORDER BY u.ord
        RETURNING 1),
      bk_counts AS (
        SELECT (SELECT count(*) FROM bk_items WHERE NOT cond)::int AS items, (SELECT count(*) FROM bk_request)::int AS requests,
               (SELECT count(*) FROM bk_events)::int AS events, (SELECT count(*) FROM bk_audits)::int AS audits)`;
  }

  /**
   * One statement: the caller's own CTEs (`before`, may be empty), then this book's, then a guard
   * that fails the statement — and so the transaction — when a guarded transition found another
   * status than the one read under the lock (a concurrent change would otherwise be a double
   * move), or when `required` (an SQL condition over the caller's CTEs) is false. The guard raises
   * through a cast of a message that names the counts, so the statement needs no PL/pgSQL and a
   * `… ; COMMIT` sent with it never runs. Conditional transitions (`ifFrom`) are not counted; with
   * a `gate` that does not hold nothing is written and nothing is required. `select`: more columns
   * for the caller (over its CTEs).
   */
  statement(options: { before?: Prisma.Sql; vmId?: Prisma.Sql; required?: Prisma.Sql; gate?: Prisma.Sql; conditions?: Record<string, Prisma.Sql>; select?: Prisma.Sql; extra?: ExtraRows } = {}): Prisma.Sql {
    const before = options.before ? Prisma.sql`${options.before},` : Prisma.empty;
    const required = options.required ?? Prisma.sql`TRUE`;
    const gate = options.gate ?? Prisma.sql`TRUE`;
    const items = this.items.filter((i) => !i.cond).length;
    const requests = this.request && !this.request.cond ? 1 : 0;
    const counted = this.request?.cond ? Prisma.sql`TRUE` : Prisma.sql`c.requests = ${requests}`;
    const select = options.select ? Prisma.sql`, ${options.select}` : Prisma.empty;
    return Prisma.sql`
      WITH ${before} ${this.ctes(options.vmId, gate, options.conditions, options.extra)}
      SELECT CASE WHEN NOT (${gate}) OR (c.items = ${items} AND ${counted} AND (${required})) THEN c.events
                  ELSE CAST(('provisioning bookkeeping: the request changed under its lock (items ' || c.items || ', requests ' || c.requests || ')') AS int) END AS events${select}
        FROM bk_counts c`;
  }

  /** Writes everything collected in one statement (nothing else to change in it). */
  async write(query: Query): Promise<void> {
    if (this.empty) return;
    await query(this.statement());
  }
}
