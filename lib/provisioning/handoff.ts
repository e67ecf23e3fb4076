// Provisioning hand-off (contract 3): called in the transaction that moves a request to
// `approved`. Records one ProvisioningJob per VM (item × index) and enqueues its execution in the
// same transaction, so approval and intent commit together. The request status is left alone here;
// the job moves it approved → provisioning when it starts.
//
// One statement (it runs once per approval, inside the approver's Prisma transaction; each Prisma
// statement costs the process ~0.3–1 ms of CPU, and the read, the insert, add_jobs and the audit
// row were four): the items still to provision are expanded into one intent per VM in SQL, the
// intents inserted (an existing one — a replayed approval — is skipped by its unique key and gets
// no second execution), graphile's add_jobs called for the new ones, and the audit row written
// when there were any. The keys are rendered in SQL exactly as keys.ts builds them
// (handoff.test.ts compares them).
import { Prisma } from '@/generated/prisma/client';
import type { AuditContext } from '../audit/record';
import { recordAudit } from '../audit/record';
import type { Tx } from '../jobs/types';
import { NotFoundError } from '../errors';
import { CREATE_VM_TASK } from './keys';

/** graphile-level attempts: only for unexpected crashes of the task itself (provider errors retry on our own schedule). */
export const WORKER_MAX_ATTEMPTS = 10;

type AuditRow = Prisma.AuditEventUncheckedCreateInput;

export async function onRequestApproved(tx: Tx, requestId: string, audit: AuditContext): Promise<void> {
  // The audit row as recordAudit builds it (redaction, shapes); the job count is filled in by the
  // statement, which alone knows how many intents were new.
  const rows: AuditRow[] = [];
  const collector = { auditEvent: { create: async ({ data }: { data: AuditRow }) => void rows.push(data) } } as unknown as Prisma.TransactionClient;
  await recordAudit(collector, audit, { action: 'provisioning.enqueue', targetType: 'request', targetId: requestId, after: { provisioningJobs: 0 } });
  const row = rows[0]!;
  const at = new Date().toISOString();
  const [result] = await tx.$queryRaw<{ found: boolean; created: number; queued: number; audited: number }[]>`
    WITH req AS (SELECT r.id, r."requesterId" FROM "Request" r WHERE r.id = ${requestId}),
    intents AS (
      SELECT 'pj' || replace(gen_random_uuid()::text, '-', '') AS id, i.id AS "itemId", n.idx, i."providerAccountId", i."regionCode", req."requesterId", i.name, i.quantity,
             row_number() OVER (ORDER BY i."createdAt", i.id, n.idx) AS ord
        FROM req
        JOIN "RequestItem" i ON i."requestId" = req.id AND i.status IN ('pending', 'failed')
        CROSS JOIN LATERAL generate_series(0, i.quantity - 1) AS n(idx)),
    ins AS (
      INSERT INTO "ProvisioningJob" (id, kind, "idempotencyKey", "requestItemId", "providerAccountId", "requestedById", payload, "createdAt", "updatedAt")
      SELECT t.id, 'create_vm', 'create_vm:' || t."itemId" || '-' || t.idx, t."itemId", t."providerAccountId", t."requesterId",
             jsonb_build_object('requestId', ${requestId}::text, 'itemId', t."itemId", 'index', t.idx, 'vmKey', t."itemId" || '-' || t.idx),
             ${at}::timestamp(3), ${at}::timestamp(3)
        FROM intents t ORDER BY t.ord
      ON CONFLICT ("idempotencyKey") DO NOTHING
      RETURNING id),
    queued AS (
      SELECT count(*)::int AS n FROM graphile_worker.add_jobs(array(
        SELECT json_populate_recordset(null::graphile_worker.job_spec, COALESCE(json_agg(json_build_object(
                 'identifier', ${CREATE_VM_TASK}::text,
                 -- createVmJobPayload's shape (provision.ts): the claim's writes need no read first.
                 'payload', json_build_object('provisioningJobId', t.id, 'claim', json_build_object(
                   'requestId', ${requestId}::text, 'itemId', t."itemId", 'index', t.idx, 'vmKey', t."itemId" || '-' || t.idx, 'name', t.name, 'quantity', t.quantity,
                   'providerAccountId', t."providerAccountId", 'regionCode', t."regionCode")),
                 'job_key', 'pj:' || t.id, 'max_attempts', ${WORKER_MAX_ATTEMPTS}::int) ORDER BY t.ord), '[]'::json))
          FROM intents t JOIN ins ON ins.id = t.id))),
    audited AS (
      INSERT INTO "AuditEvent" ("at", "actorType", "actorId", "actorLabel", "action", "targetType", "targetId", "before", "after", "requestId", "ip")
      SELECT ${at}::timestamp(3), ${row.actorType}::"ActorType", ${row.actorId ?? null}, ${row.actorLabel}, ${row.action}, ${row.targetType},
             ${row.targetId ?? null}, NULL, ${JSON.stringify(row.after)}::jsonb || jsonb_build_object('provisioningJobs', (SELECT count(*) FROM ins)::int),
             ${row.requestId ?? null}, ${row.ip ?? null}
       WHERE EXISTS (SELECT 1 FROM ins)
      RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM req) AS found, (SELECT count(*) FROM ins)::int AS created, (SELECT n FROM queued) AS queued,
           (SELECT count(*) FROM audited)::int AS audited`;
  if (!result?.found) throw new NotFoundError(`Request ${requestId}`);
}
