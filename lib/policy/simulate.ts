// Policy simulation: replay the last N submitted requests through a draft policy set and report
// which would be routed differently from how they were actually routed.
import type { Db } from '../db/client';
import { ValidationError, fieldIssuesFromZod } from '../errors';
import { evaluateActionPolicySet, evaluatePolicySet, evaluatePolicies } from './evaluate';
import { simulateInputSchema, type ActionFacts, type PolicyDefinition, type RequestFacts, type SimulateInput, type SimulationResult } from './schemas';
import { PROVIDER_KINDS } from '@/providers/types';

const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

type Route = { outcome: string; policyName: string | null; levels: string[] };

const sameRoute = (a: Route, b: Route) => a.outcome === b.outcome && a.policyName === b.policyName && a.levels.join('|') === b.levels.join('|');

export async function simulatePolicies(db: Db, input: SimulateInput): Promise<SimulationResult> {
  const parsed = simulateInputSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldIssuesFromZod(parsed.error));
  const draft: PolicyDefinition[] = parsed.data.policies.map((p, i) => ({ ...p, id: p.id ?? `draft-${i + 1}` }));
  const requests = await db.request.findMany({
    where: { submittedAt: { not: null } },
    orderBy: [{ submittedAt: 'desc' }, { id: 'desc' }],
    take: parsed.data.last,
    include: {
      project: { select: { name: true } },
      items: { orderBy: { createdAt: 'asc' }, take: 1, include: { providerAccount: { select: { kind: true } }, templateVersion: { select: { templateId: true, template: { select: { slug: true } } } } } },
    },
  });
  const rows: SimulationResult['rows'] = [];
  for (const r of requests) {
    const stored = obj(r.evaluation);
    const storedFacts = obj(stored?.facts);
    if (r.kind === 'vm_action') {
      // Day-2 actions that went to approval keep their facts; replay them through the draft's vm_action policies.
      if (!storedFacts || typeof storedFacts.action !== 'string') continue;
      const facts = storedFacts as unknown as ActionFacts;
      const levels = Array.isArray(stored?.levels) ? stored.levels.map((l) => String(obj(l)?.name ?? '')) : [];
      const current: Route = { outcome: String(stored?.outcome ?? 'require_approval'), policyName: r.policyName ?? null, levels };
      const sim = evaluateActionPolicySet(draft, { ...facts, quotaExceeded: Array.isArray(facts.quotaExceeded) ? facts.quotaExceeded : [] });
      const simulated = { outcome: sim.outcome, policyName: sim.policy?.name ?? null, levels: sim.levels.map((l) => l.name), reason: sim.reason };
      rows.push({ requestId: r.id, number: r.number, kind: 'vm_action', projectName: r.project.name, estimatedMonthlyCost: Number(r.estimatedMonthlyCost), current, simulated, changed: !sameRoute(current, simulated) });
      continue;
    }
    const item = r.items[0];
    if (!item) continue;
    const kind = PROVIDER_KINDS.find((k) => k === item.providerAccount.kind) ?? 'vsphere';
    const facts: RequestFacts = {
      projectId: r.projectId,
      templateId: item.templateVersion.templateId,
      templateSlug: item.templateVersion.template.slug,
      providerKind: kind,
      providerAccountId: item.providerAccountId,
      regionCode: item.regionCode,
      count: item.quantity,
      vcpusPerVm: item.vcpus,
      memoryMiBPerVm: item.memoryMiB,
      diskGiBPerVm: item.diskGiB,
      estimatedMonthlyCost: Number(r.estimatedMonthlyCost),
      parameters: obj(item.parameters) ?? {},
      requesterId: r.requesterId,
      quotaExceeded: Array.isArray(storedFacts?.quotaExceeded) ? (storedFacts.quotaExceeded as RequestFacts['quotaExceeded']) : [],
      budgetExceeded: storedFacts?.budgetExceeded === true,
    };
    // The route the request actually took, as recorded at submit; older rows: today's policies.
    let current: Route;
    if (stored && typeof stored.outcome === 'string') {
      const levels = Array.isArray(stored.levels) ? stored.levels.map((l) => String(obj(l)?.name ?? '')) : [];
      current = { outcome: stored.outcome, policyName: r.policyName ?? null, levels };
    } else {
      const now = await evaluatePolicies(db, facts);
      current = { outcome: now.outcome, policyName: now.policy?.name ?? null, levels: now.levels.map((l) => l.name) };
    }
    const sim = evaluatePolicySet(draft, facts);
    const simulated = { outcome: sim.outcome, policyName: sim.policy?.name ?? null, levels: sim.levels.map((l) => l.name), reason: sim.reason };
    rows.push({
      requestId: r.id,
      number: r.number,
      kind: 'provision',
      projectName: r.project.name,
      estimatedMonthlyCost: Number(r.estimatedMonthlyCost),
      current,
      simulated,
      changed: !sameRoute(current, simulated),
    });
  }
  return { evaluated: rows.length, changed: rows.filter((x) => x.changed).length, rows };
}
