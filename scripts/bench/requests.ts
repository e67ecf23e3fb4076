// `npm run bench:requests`: the request form's server work and submission under contention, on a
// seeded database of 100,000 VMs, 1,000 templates and 200 projects (embedded PostgreSQL in a temp
// folder, or DATABASE_URL). Measures
//   - request form data (template definition + the user's projects) and estimatePlacements: p50/p95
//   - policy evaluation per request (evaluatePolicies from the database, and the pure evaluator)
//   - 1,000 concurrent createRequest calls against one project's quota: accepted ≤ quota, throughput
// and writes the results to docs/BENCHMARKS.md.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { auditContext, SYSTEM_ACTOR } from '../../lib/audit/record';
import { loadPrincipal } from '../../lib/auth/principal';
import { createTemplate, getTemplateDefinition } from '../../lib/catalog/templates';
import { createPrismaClient } from '../../lib/db/client';
import { deployMigrations } from '../../lib/db/migrations/engine';
import { seedDemoPolicies } from '../../lib/demo/policies-seed';
import { migrateJobsSchema } from '../../lib/jobs/migrate';
import { evaluatePolicySet } from '../../lib/policy/evaluate';
import { evaluatePolicies } from '../../lib/policy/evaluate';
import { loadPolicyDefinitions } from '../../lib/policy/store';
import { createRequest, estimatePlacements, QuotaExceededError } from '../../lib/requests/service';
import type { RequestFacts } from '../../lib/requests/ports';
import { loadProjectUsage } from '../../lib/requests/quota';
import { openBenchDatabase, runBenchmark } from './database';
import { machineLine, writeBenchmarkSection } from './report';

const VMS = Number(process.env.BENCH_VMS ?? 100_000);
const TEMPLATES = Number(process.env.BENCH_TEMPLATES ?? 1_000);
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 200);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 1_000);
const CONTENDED_QUOTA = 300;
const KINDS = ['aws', 'azure', 'gcp', 'vsphere'] as const;
const REGIONS: Record<(typeof KINDS)[number], string[]> = {
  aws: ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'],
  azure: ['westeurope', 'northeurope', 'eastus'],
  gcp: ['europe-west1', 'us-central1', 'asia-east1'],
  vsphere: ['dc-amsterdam', 'dc-frankfurt'],
};
const TYPES: Record<(typeof KINDS)[number], [string, string, string]> = {
  aws: ['t3.small', 't3.large', 'm5.2xlarge'],
  azure: ['Standard_B2s', 'Standard_D4s_v5', 'Standard_D8s_v5'],
  gcp: ['e2-small', 'n2-standard-4', 'n2-standard-8'],
  vsphere: ['small', 'medium', 'large'],
};

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const ms = (n: number) => n.toFixed(1);

async function main() {
  const bench = await openBenchDatabase('requests');
  const url = bench.url;
  const db = createPrismaClient(url, { max: 10 });
  const audit = auditContext(SYSTEM_ACTOR);
  try {
    const loadBefore = os.loadavg()[0]!;
    const t0 = performance.now();
    await deployMigrations(url);
    await migrateJobsSchema(url);

    // ── seed ──
    const user = await db.user.create({ data: { email: `bench-${Date.now()}@bench.test`, name: 'Bench requester', roles: ['requester'] } });
    const owner = await db.user.create({ data: { email: `owner-${Date.now()}@bench.test`, name: 'Bench owner', roles: ['requester', 'approver'] } });
    const projectIds: string[] = [];
    for (let i = 0; i < PROJECTS; i++) {
      const p = await db.project.create({ data: { key: `bench-${i}-${Date.now() % 100000}`, name: `Bench ${i}`, costCentre: `CC-${i}`, ownerId: owner.id } });
      projectIds.push(p.id);
    }
    await db.projectMembership.createMany({ data: projectIds.flatMap((projectId) => [{ projectId, userId: user.id }, { projectId, userId: owner.id, role: 'owner' as const }]) });
    await db.quota.createMany({ data: projectIds.map((projectId, i) => ({ projectId, maxInstances: i === 0 ? CONTENDED_QUOTA : 5_000, maxVcpus: 100_000 })) });
    await db.budget.createMany({ data: projectIds.map((projectId, i) => ({ name: `Bench ${i}`, projectId, amount: '250000', startsOn: new Date('2020-01-01') })) });
    const accounts: { id: string; kind: (typeof KINDS)[number] }[] = [];
    for (const kind of KINDS) {
      const a = await db.providerAccount.create({
        data: { kind, name: `bench-${kind}-${Date.now()}`, settings: {}, secretsCiphertext: 'x', regions: { create: REGIONS[kind].map((code) => ({ code, name: code, enabled: true })) } },
      });
      accounts.push({ id: a.id, kind });
    }
    await db.priceBook.create({
      data: {
        name: `bench-${Date.now()}`, effectiveFrom: new Date('2020-01-01'),
        rates: {
          create: [
            ...KINDS.filter((k) => k !== 'vsphere').flatMap((k) => TYPES[k].map((sku, i) => ({ providerKind: k, sku, unitPrice: String(0.02 * 2 ** i) }))),
            { providerKind: 'aws', regionCode: 'us-east-1', sku: 't3.small', unitPrice: '0.018' },
            { providerKind: 'vsphere', sku: 'vcpu', unitPrice: '0.01' },
            { providerKind: 'vsphere', sku: 'memory-gib', unitPrice: '0.004' },
            ...KINDS.map((k) => ({ providerKind: k, sku: 'disk-gib', unit: 'month' as const, unitPrice: '0.08' })),
          ],
        },
      },
    });
    await seedDemoPolicies(db);
    const templateIds: string[] = [];
    for (let i = 0; i < TEMPLATES; i++) {
      const t = await createTemplate(
        db,
        {
          slug: `bench-${i}-${Date.now() % 100000}`,
          name: `Bench template ${i}`,
          os: 'Linux',
          sizes: [
            { name: 'small', vcpus: 2, memoryMiB: 4096, diskGiB: 40 },
            { name: 'medium', vcpus: 4, memoryMiB: 16384, diskGiB: 80 },
            { name: 'large', vcpus: 8, memoryMiB: 32768, diskGiB: 120 },
          ],
          mappings: KINDS.map((k) => ({ providerKind: k, regionCode: '*', instanceTypes: { small: TYPES[k][0], medium: TYPES[k][1], large: TYPES[k][2] }, image: `image-${k}` })),
          parameters: [{ name: 'environment', label: 'Environment', type: 'enum', required: true, options: ['dev', 'test', 'prod'] }],
        },
        audit,
      );
      templateIds.push(t.id);
    }
    // 100,000 VMs spread over the projects, accounts and regions, in one INSERT … SELECT.
    await db.$executeRawUnsafe(
      `INSERT INTO "Vm" (id, "providerAccountId", "providerKind", "regionCode", "providerId", name, size, vcpus, "memoryMiB", "diskGiB", state, "projectId", "updatedAt")
       SELECT 'benchvm' || g, (a.ids)[1 + g % 4], (a.kinds)[1 + g % 4]::"ProviderKind", 'eu-west-1', 'i-' || g, 'vm-' || g, 't3.small', 2, 4096, 40,
              (CASE WHEN g % 10 = 0 THEN 'deleted' ELSE 'running' END)::"VmState", (p.ids)[1 + g % ${PROJECTS}], now()
         FROM generate_series(1, ${VMS}) g,
              (SELECT $1::text[] AS ids, $2::text[] AS kinds) a,
              (SELECT $3::text[] AS ids) p`,
      accounts.map((a) => a.id),
      accounts.map((a) => a.kind),
      projectIds,
    );
    await db.$executeRawUnsafe('ANALYZE');
    const seedSeconds = (performance.now() - t0) / 1000;
    console.log(`seeded in ${seedSeconds.toFixed(1)} s`);

    const principal = (await loadPrincipal(db, user.id, 'session'))!;
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
    const sizes = ['small', 'medium', 'large'];

    // ── request form data + estimatePlacements ──
    const formTimes: number[] = [];
    const estimateTimes: number[] = [];
    const totalTimes: number[] = [];
    for (let i = 0; i < SAMPLES + 20; i++) {
      const projectId = pick(projectIds.slice(1));
      const templateId = pick(templateIds);
      const a = performance.now();
      await Promise.all([
        getTemplateDefinition(db, templateId),
        db.project.findMany({ where: { archivedAt: null, id: { in: Object.keys(principal.projects) } }, select: { id: true, name: true, key: true }, orderBy: { name: 'asc' } }),
      ]);
      const b = performance.now();
      await estimatePlacements(db, principal, { projectId, templateId, size: pick(sizes), count: 1 + Math.floor(Math.random() * 5), parameters: { environment: 'dev' } });
      const c = performance.now();
      if (i >= 20) {
        formTimes.push(b - a);
        estimateTimes.push(c - b);
        totalTimes.push(c - a);
      }
    }

    // ── policy evaluation ──
    const facts = (): RequestFacts => ({
      projectId: pick(projectIds), templateId: pick(templateIds), templateSlug: 'bench', providerKind: pick([...KINDS]), providerAccountId: accounts[0]!.id,
      regionCode: 'eu-west-1', count: 1 + Math.floor(Math.random() * 10), vcpusPerVm: pick([2, 4, 8]), memoryMiBPerVm: 4096, diskGiBPerVm: 40,
      estimatedMonthlyCost: Math.random() * 2000, parameters: { environment: 'dev' }, requesterId: user.id, quotaExceeded: [], budgetExceeded: false,
    });
    const policyDbTimes: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const a = performance.now();
      await evaluatePolicies(db, facts());
      policyDbTimes.push(performance.now() - a);
    }
    const definitions = await loadPolicyDefinitions(db, { enabledOnly: true });
    const pureRuns = 100_000;
    const factList = Array.from({ length: 1000 }, facts);
    const pa = performance.now();
    for (let i = 0; i < pureRuns; i++) evaluatePolicySet(definitions, factList[i % 1000]!);
    const pureMicros = ((performance.now() - pa) * 1000) / pureRuns;

    // ── 1,000 concurrent createRequest against one quota ──
    const contended = projectIds[0]!;
    const template = templateIds[0]!;
    const body = { projectId: contended, templateId: template, size: 'small', providerAccountId: accounts.find((a) => a.kind === 'aws')!.id, region: 'us-east-1', count: 1, parameters: { environment: 'dev' } };
    const before = await loadProjectUsage(db, contended);
    const ca = performance.now();
    const results = await Promise.allSettled(Array.from({ length: CONCURRENT }, () => createRequest(db, principal, body, audit)));
    const wallSeconds = (performance.now() - ca) / 1000;
    const accepted = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof QuotaExceededError).length;
    const otherErrors = results.filter((r) => r.status === 'rejected' && !(r.reason instanceof QuotaExceededError));
    if (otherErrors.length) console.error('unexpected errors:', (otherErrors[0] as PromiseRejectedResult).reason);
    const after = await loadProjectUsage(db, contended);
    const room = CONTENDED_QUOTA - before.total.instances;
    const overshoot = after.total.instances - CONTENDED_QUOTA;

    const result = {
      formP50: quantile(formTimes, 0.5), formP95: quantile(formTimes, 0.95),
      estimateP50: quantile(estimateTimes, 0.5), estimateP95: quantile(estimateTimes, 0.95),
      totalP95: quantile(totalTimes, 0.95),
      policyDbP50: quantile(policyDbTimes, 0.5), policyDbP95: quantile(policyDbTimes, 0.95), pureMicros,
      accepted, refused, otherErrors: otherErrors.length, room, overshoot, wallSeconds, usedBefore: before.total.instances, usedAfter: after.total.instances,
    };
    console.log(result);
    const placements = Object.values(REGIONS).reduce((n, r) => n + r.length, 0);
    writeBenchmarkSection(
      'requests',
      `## Requests (\`npm run bench:requests\`)

${VMS.toLocaleString('en-US')} VMs, ${TEMPLATES.toLocaleString('en-US')} templates (3 sizes, 4 providers), ${PROJECTS} projects, ${placements} enabled regions over 4 provider accounts, the demo policies; embedded PostgreSQL, in-process calls of lib/requests (no HTTP). ${machineLine()}, ${os.cpus().length} cores shared with other work (1-minute load average ${loadBefore.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end: latencies scale with it). ${SAMPLES} samples each, random project/template/size/count.

| measurement | p50 | p95 | goal |
| --- | ---: | ---: | ---: |
| request form data (template definition + the user's projects) | ${ms(result.formP50)} ms | ${ms(result.formP95)} ms | |
| \`estimatePlacements\` (${placements} placements priced, quota, budget, policy preview) | ${ms(result.estimateP50)} ms | ${ms(result.estimateP95)} ms | ≤ 50 ms |
| form data + estimate together | | ${ms(result.totalP95)} ms | ≤ 300 ms to interactive |
| policy evaluation from the database (\`evaluatePolicies\`) | ${ms(result.policyDbP50)} ms | ${ms(result.policyDbP95)} ms | |
| policy evaluation, pure (\`evaluatePolicySet\`, ${definitions.length} policies) | ${result.pureMicros.toFixed(2)} µs | | |

${CONCURRENT.toLocaleString('en-US')} concurrent \`createRequest\` calls (1 VM each, auto-approved and handed to the engine) against one project with a quota of ${CONTENDED_QUOTA} VMs (${result.usedBefore} in use before), pool of 10 connections:

| accepted | refused with the quota 409 | other errors | VMs committed after | overshoot | wall time | throughput |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| ${accepted} (room: ${room}) | ${refused} | ${result.otherErrors} | ${result.usedAfter} / ${CONTENDED_QUOTA} | ${Math.max(0, overshoot)} | ${wallSeconds.toFixed(1)} s | ${(CONCURRENT / wallSeconds).toFixed(0)} calls/s (${((wallSeconds * 1000) / CONCURRENT).toFixed(0)} ms per serialized submission) |

Submissions to one project are serialized by a row lock on the project (\`SELECT … FOR UPDATE\` in the submit transaction), so the quota check and the insert are atomic: the accepted count equals the room left, never more. Within one process they also wait in an in-process queue per project (not on a pool connection), so a burst for one project never starves other users of connections; a request already over the quota is refused before queueing. Submissions to different projects do not wait for each other.`,
    );
    if (overshoot > 0 || accepted > room) throw new Error(`quota overshoot: ${accepted} accepted with room ${room}`);
  } finally {
    await db.$disconnect();
    await bench.close();
  }
}

runBenchmark(main);
