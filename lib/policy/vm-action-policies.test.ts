// Day-2 action policies (scope vm_action): schema rules, condition matching, outcomes, quota and
// lease-maximum overruns — pure, table-driven. The gate itself is tested in lib/vms/gate.test.ts.
import { describe, expect, it } from 'vitest';
import { actionConditionsMatch, evaluateActionPolicySet, evaluatePolicySet } from './evaluate';
import { policyInputSchema, type ActionFacts, type PolicyDefinition, type PolicyInput, type RequestFacts } from './schemas';

const facts = (over: Partial<ActionFacts> = {}): ActionFacts => ({
  action: 'resize',
  vmId: 'vm1',
  projectId: 'p1',
  templateId: 't1',
  templateSlug: 'linux-web',
  providerKind: 'aws',
  providerAccountId: 'a1',
  regionCode: 'eu-west-1',
  vcpus: 16,
  memoryMiB: 65536,
  estimatedMonthlyCost: 480,
  costDelta: 240,
  leaseDays: null,
  beyondLeaseMax: false,
  requesterId: 'u1',
  quotaExceeded: [],
  ...over,
});

let seq = 0;
const policy = (input: Partial<PolicyInput> & Pick<PolicyInput, 'action'>): PolicyDefinition => ({
  id: `pol-${++seq}`,
  ...policyInputSchema.parse({ name: `Policy ${seq}`, scope: 'vm_action', ...input }),
});
const level = { name: 'Cloud team', approvers: [{ type: 'role' as const, role: 'approver' as const }] };

describe('vm_action conditions', () => {
  const cases: [string, PolicyInput['conditions'], Partial<ActionFacts>, boolean][] = [
    ['empty matches every action', {}, {}, true],
    ['resize to more than 8 vCPU (minVcpus 9)', { actions: ['resize'], minVcpus: 9 }, {}, true],
    ['… not a resize to 8 vCPU', { actions: ['resize'], minVcpus: 9 }, { vcpus: 8 }, false],
    ['… not another action', { actions: ['resize'], minVcpus: 9 }, { action: 'reboot' }, false],
    ['target RAM', { minMemoryMiB: 65536 }, {}, true],
    ['target RAM below', { minMemoryMiB: 65537 }, {}, false],
    ['new monthly cost', { maxMonthlyCost: 479.99 }, {}, false],
    ['cost delta from', { minCostDelta: 200 }, {}, true],
    ['cost delta: a cheaper VM (negative) is below it', { minCostDelta: 0 }, { costDelta: -50 }, false],
    ['negative bounds', { maxCostDelta: -10 }, { costDelta: -50 }, true],
    ['lease days apply to lease extensions', { actions: ['extend_lease'], minLeaseDays: 30 }, { action: 'extend_lease', leaseDays: 45 }, true],
    ['lease days do not hold without a lease', { minLeaseDays: 30 }, { leaseDays: null }, false],
    ['provider', { providerKinds: ['azure'] }, {}, false],
    ['project', { projectIds: ['p1'] }, {}, true],
    ['region', { regions: ['us-east-1'] }, {}, false],
    ['template by slug', { templates: ['linux-web'] }, {}, true],
    ['template condition fails for a VM without template', { templates: ['t1'] }, { templateId: null, templateSlug: null }, false],
  ];
  it.each(cases)('%s', (_name, conditions, over, matches) => {
    const p = policy({ action: 'auto_approve', conditions });
    expect(actionConditionsMatch(p.conditions, facts(over))).toBe(matches);
  });
});

describe('vm_action outcomes', () => {
  it('no day-2 policy matched: the action runs now', () => {
    expect(evaluateActionPolicySet([], facts())).toMatchObject({ outcome: 'auto_approve', code: 'default', policy: null });
  });

  it('require_approval builds the policy’s chain', () => {
    const p = policy({ action: 'require_approval', conditions: { actions: ['resize'], minVcpus: 9 }, levels: [level] });
    const e = evaluateActionPolicySet([p], facts());
    expect(e).toMatchObject({ outcome: 'require_approval', code: 'policy', policy: { id: p.id }, levels: [{ order: 1, name: 'Cloud team', approvers: 'role approver' }] });
    expect(e.reason).toMatch(/actions: resize · target vCPU from 9 vCPU/);
  });

  it('reject refuses the action with the reason', () => {
    const p = policy({ action: 'reject', rejectReason: 'No deletes from the portal', conditions: { actions: ['delete'] } });
    expect(evaluateActionPolicySet([p], facts({ action: 'delete' }))).toMatchObject({ outcome: 'reject', code: 'policy', reason: expect.stringMatching(/No deletes/) });
  });

  it('first by priority; provisioning policies are not looked at for actions, and vice versa', () => {
    const allowAll = policy({ action: 'auto_approve', priority: 50 });
    const gate = policy({ action: 'require_approval', priority: 10, conditions: { minVcpus: 9 }, levels: [level] });
    const provisioning: PolicyDefinition = { id: 'prov', ...policyInputSchema.parse({ name: 'Reject all requests', action: 'reject', rejectReason: 'x' }) };
    expect(evaluateActionPolicySet([allowAll, gate, provisioning], facts())).toMatchObject({ outcome: 'require_approval', policy: { id: gate.id } });
    expect(evaluateActionPolicySet([allowAll, gate, provisioning], facts({ vcpus: 2 }))).toMatchObject({ outcome: 'auto_approve', policy: { id: allowAll.id } });
    const requestFacts = { projectId: 'p1', templateId: 't1', templateSlug: 's', providerKind: 'aws', providerAccountId: 'a', regionCode: 'r', count: 1, vcpusPerVm: 16, memoryMiBPerVm: 1, diskGiBPerVm: 1, estimatedMonthlyCost: 1, parameters: {}, requesterId: 'u', quotaExceeded: [], budgetExceeded: false } satisfies RequestFacts;
    expect(evaluatePolicySet([gate, allowAll], requestFacts)).toMatchObject({ outcome: 'require_approval', code: 'default', policy: null });
  });

  it('a hard quota overrun rejects (quota_exceeded); a soft one goes to the chain', () => {
    const over = facts({ quotaExceeded: [{ name: 'vCPU (all providers)', limit: 32, after: 40 }] });
    expect(evaluateActionPolicySet([], over)).toMatchObject({ outcome: 'reject', code: 'quota_exceeded', reason: expect.stringMatching(/vCPU \(all providers\) 40 of 32/) });
    const soft = policy({ action: 'require_approval', quotaMode: 'soft', levels: [level] });
    expect(evaluateActionPolicySet([soft], over)).toMatchObject({ outcome: 'require_approval', code: 'quota_exceeded', levels: [{ name: 'Cloud team' }] });
  });

  it('a lease beyond the maximum is never auto-approved: the policy’s chain or the project owner / an admin', () => {
    const beyond = facts({ action: 'extend_lease', leaseDays: 60, beyondLeaseMax: true });
    expect(evaluateActionPolicySet([], beyond)).toMatchObject({ outcome: 'require_approval', code: 'lease_max', levels: [{ name: 'Project owner or an admin', approvers: 'project owner, role admin' }] });
    expect(evaluateActionPolicySet([policy({ action: 'auto_approve' })], beyond)).toMatchObject({ outcome: 'require_approval', code: 'lease_max' });
    expect(evaluateActionPolicySet([policy({ action: 'require_approval', levels: [level] })], beyond)).toMatchObject({ levels: [{ name: 'Cloud team' }] });
    expect(evaluateActionPolicySet([policy({ action: 'reject', rejectReason: 'No extensions' })], beyond)).toMatchObject({ outcome: 'reject' });
  });
});

describe('vm_action policy schema', () => {
  it('defaults to the provisioning scope', () => {
    expect(policyInputSchema.parse({ name: 'x', action: 'auto_approve' }).scope).toBe('provision');
  });
  it.each([
    ['day-2 conditions on a provisioning policy', { scope: 'provision', conditions: { actions: ['resize'] } }, 'conditions/actions'],
    ['cost delta on a provisioning policy', { scope: 'provision', conditions: { minCostDelta: 1 } }, 'conditions/minCostDelta'],
    ['count on a day-2 policy', { scope: 'vm_action', conditions: { minCount: 2 } }, 'conditions/minCount'],
    ['parameters on a day-2 policy', { scope: 'vm_action', conditions: { parameters: [{ name: 'env', values: ['prod'] }] } }, 'conditions/parameters'],
    ['an unknown action', { scope: 'vm_action', conditions: { actions: ['explode'] } }, 'conditions/actions/0'],
    ['lease days min above max', { scope: 'vm_action', conditions: { minLeaseDays: 30, maxLeaseDays: 10 } }, 'conditions/maxLeaseDays'],
    ['an unknown scope', { scope: 'everything' }, 'scope'],
  ])('refuses %s', (_name, input, path) => {
    const r = policyInputSchema.safeParse({ name: 'x', action: 'auto_approve', ...input });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('/'))).toContain(path);
  });
});

describe('demo day-2 policy', () => {
  it('a resize to 4 vCPU or more waits for the project owner; smaller ones run at once', async () => {
    const { DEMO_POLICIES } = await import('../demo/policies-seed');
    const set = DEMO_POLICIES.map((p, i) => ({ id: `demo-${i}`, ...policyInputSchema.parse(p) }));
    expect(evaluateActionPolicySet(set, facts({ vcpus: 16 }))).toMatchObject({ outcome: 'require_approval', policy: { name: 'Large resizes need approval' }, levels: [{ name: 'Project owner' }] });
    expect(evaluateActionPolicySet(set, facts({ vcpus: 4 }))).toMatchObject({ outcome: 'require_approval' });
    expect(evaluateActionPolicySet(set, facts({ vcpus: 2 }))).toMatchObject({ outcome: 'auto_approve', code: 'default' });
    expect(evaluateActionPolicySet(set, facts({ action: 'stop', vcpus: 16 }))).toMatchObject({ outcome: 'auto_approve' });
  });
});
