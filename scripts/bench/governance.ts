// `npm run bench:governance`: the approver inbox and decisions on a real PostgreSQL (embedded, in a
// temp folder, or DATABASE_URL): listApprovals with many pending approvals, one decision, two
// approvers deciding every approval at once (must yield exactly one decision each), and the timeout
// sweep. Results go to docs/BENCHMARKS.md (section governance).
import { performance } from 'node:perf_hooks';
import { startApprovalChain } from '../../lib/approvals/chain';
import { decideApproval } from '../../lib/approvals/decide';
import { listApprovals } from '../../lib/approvals/inbox';
import { createPendingRequest, createWorld, principalOf } from '../../lib/approvals/testing';
import { processApprovalTimeouts } from '../../lib/approvals/timeouts';
import { auditContext, SYSTEM_ACTOR } from '../../lib/audit/record';
import { actorOf } from '../../lib/auth/principal';
import { createPrismaClient, type Db } from '../../lib/db/client';
import { deployMigrations } from '../../lib/db/migrations/engine';
import { ConflictError } from '../../lib/errors';
import { migrateJobsSchema } from '../../lib/jobs/migrate';
import type { ChainEvaluation } from '../../lib/approvals/chain';
import { openBenchDatabase } from './database';
import { machineLine, writeBenchmarkSection } from './report';

const PENDING = Number(process.env.BENCH_PENDING ?? 1000);
const CONTENDED = Number(process.env.BENCH_CONTENDED ?? 200);
const SAMPLES = 30;
const WAVE = 25;

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

const chain = (timeoutHours: number | null): ChainEvaluation => ({
  outcome: 'require_approval',
  code: 'policy',
  policy: null,
  reason: 'bench',
  levels: [
    { order: 1, name: 'Project approvers', mode: 'any', approvers: 'project approvers', approverSpecs: [{ type: 'project_approvers' }], timeoutHours, timeoutAction: timeoutHours ? 'auto_approve' : null },
  ],
});

async function seed(db: Db, world: Awaited<ReturnType<typeof createWorld>>, n: number, timeoutHours: number | null): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await createPendingRequest(db, world, 'req', { cost: 100 + (i % 50) * 37 });
    await db.$transaction((tx) => startApprovalChain(tx, { requestId: r.id, projectId: world.projectId, requesterId: world.users.req!, evaluation: chain(timeoutHours) }, auditContext(SYSTEM_ACTOR)));
    ids.push(r.id);
  }
  return ids;
}

async function main() {
  const bench = await openBenchDatabase('governance');
  const url = bench.url;
  const db = createPrismaClient(url, { max: 10 });
  try {
    await deployMigrations(url);
    await migrateJobsSchema(url);
    const world = await createWorld(db, { req: ['requester'], a1: ['approver'], a2: ['approver'] }, { owner: 'a1', projectApprovers: ['a2'] });
    const a1 = await principalOf(db, world.users.a1!);
    const a2 = await principalOf(db, world.users.a2!);

    const seedStart = performance.now();
    await seed(db, world, PENDING, null);
    const seedMs = performance.now() - seedStart;

    // Inbox: first page of 50 with full context, varying sort and filters.
    const sorts = ['oldest', 'newest', 'cost_desc', 'cost_asc'] as const;
    const inbox: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t = performance.now();
      await listApprovals(db, a1, { sort: sorts[i % sorts.length], ...(i % 3 === 0 ? { minCost: 500 } : {}) });
      inbox.push(performance.now() - t);
    }

    // One decision each (approve → request approved, engine hand-off, notifications), sequential.
    const pending = await db.requestApprovalStep.findMany({ where: { status: 'pending', request: { projectId: world.projectId } }, select: { id: true }, take: SAMPLES });
    const single: number[] = [];
    for (const step of pending) {
      const t = performance.now();
      await decideApproval(db, a1, step.id, { decision: 'approve' }, auditContext(actorOf(a1)));
      single.push(performance.now() - t);
    }

    // Contention: both approvers decide every approval at the same moment.
    const contendedRequests = await seed(db, world, CONTENDED, null);
    const steps = await db.requestApprovalStep.findMany({ where: { requestId: { in: contendedRequests } }, select: { id: true } });
    // In waves of WAVE approvals (2 × WAVE calls at once): a 10-connection pool cannot hand out
    // connections to hundreds of simultaneous transactions within pg's connect timeout anyway.
    const t0 = performance.now();
    const outcomes: PromiseSettledResult<unknown>[] = [];
    for (let i = 0; i < steps.length; i += WAVE) {
      outcomes.push(
        ...(await Promise.allSettled(
          steps.slice(i, i + WAVE).flatMap((s) => [
            decideApproval(db, a1, s.id, { decision: 'approve' }, auditContext(actorOf(a1))),
            decideApproval(db, a2, s.id, { decision: 'reject', comment: 'bench' }, auditContext(actorOf(a2))),
          ]),
        )),
      );
    }
    const wall = performance.now() - t0;
    const ok = outcomes.filter((o) => o.status === 'fulfilled').length;
    const conflicts = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof ConflictError).length;
    const other = outcomes.length - ok - conflicts;
    const otherErrors = [...new Set(outcomes.flatMap((o) => (o.status === 'rejected' && !(o.reason instanceof ConflictError) ? [String((o.reason as Error).message).slice(0, 200)] : [])))];
    if (otherErrors.length) console.error('other errors:', otherErrors.slice(0, 5));
    const decisions = await db.approvalDecision.groupBy({ by: ['stepId'], where: { stepId: { in: steps.map((s) => s.id) } }, _count: true });
    const doubled = decisions.filter((d) => d._count !== 1).length;

    // Timeout sweep over levels that are all past due.
    const due = await seed(db, world, 200, 1);
    const sweepStart = performance.now();
    const swept = await processApprovalTimeouts(db, { now: new Date(Date.now() + 2 * 3_600_000), limit: 500 });
    const sweepMs = performance.now() - sweepStart;

    const md = `## Governance (\`npm run bench:governance\`)

${PENDING.toLocaleString('en-US')} pending approvals in one project (seeded through \`startApprovalChain\` in ${(seedMs / 1000).toFixed(1)} s), two project approvers; embedded PostgreSQL, in-process calls of lib/approvals (no HTTP). ${machineLine()}, 2 cores shared with other work. ${SAMPLES} samples each.

| measurement | p50 | p95 |
| --- | ---: | ---: |
| \`listApprovals\`: first 50 with full context (requester, project, items, placement, quota/budget, earlier decisions), 4 sort orders, cost filter | ${ms(quantile(inbox, 0.5))} | ${ms(quantile(inbox, 0.95))} |
| \`decideApproval\` (last level: request → approved, engine hand-off, timeline, audit, notification + e-mail job) | ${ms(quantile(single, 0.5))} | ${ms(quantile(single, 0.95))} |

Two approvers deciding each of ${CONTENDED} approvals at the same moment (${outcomes.length} calls in waves of ${2 * WAVE} concurrent calls, pool of 10 connections):

| decisions that counted | refused with 409 | other errors | approvals with ≠ 1 decision | wall time | throughput |
| ---: | ---: | ---: | ---: | ---: | ---: |
| ${ok} (of ${steps.length}) | ${conflicts} | ${other} | ${doubled} | ${(wall / 1000).toFixed(1)} s | ${Math.round(outcomes.length / (wall / 1000))} calls/s |

Timeout sweep (\`processApprovalTimeouts\`): ${swept.processed.length} of ${due.length} overdue levels auto-approved in ${(sweepMs / 1000).toFixed(2)} s (${ms(sweepMs / Math.max(1, swept.processed.length))} per level, each in its own transaction).`;
    writeBenchmarkSection('governance', md);
    console.log(md);
    if (doubled || other || ok !== steps.length) process.exitCode = 1;
  } finally {
    await db.$disconnect();
    await bench.close();
  }
}

await main();
