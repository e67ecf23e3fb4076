// Table-driven policy evaluation: every condition, outcome, chain shape and quota/budget mode.
import { describe, expect, it } from 'vitest';
import { evaluatePolicySet } from './evaluate';
import { policyInputSchema, type PolicyDefinition, type PolicyInput, type RequestFacts } from './schemas';

const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({
  projectId: 'p1',
  templateId: 't1',
  templateSlug: 'linux-web',
  providerKind: 'aws',
  providerAccountId: 'a1',
  regionCode: 'eu-west-1',
  count: 2,
  vcpusPerVm: 2,
  memoryMiBPerVm: 4096,
  diskGiBPerVm: 40,
  estimatedMonthlyCost: 100,
  parameters: { environment: 'dev' },
  requesterId: 'u1',
  quotaExceeded: [],
  budgetExceeded: false,
  ...over,
});

let seq = 0;
const policy = (input: Partial<PolicyInput> & Pick<PolicyInput, 'action'>): PolicyDefinition => ({
  id: `pol-${++seq}`,
  ...policyInputSchema.parse({ name: `Policy ${seq}`, ...input }),
});

const ownerLevel = { name: 'Owner', approvers: [{ type: 'project_owner' as const }] };
const auto = (conditions: PolicyInput['conditions']) => policy({ action: 'auto_approve', conditions });

describe('conditions', () => {
  const cases: [string, PolicyInput['conditions'], Partial<RequestFacts>, boolean][] = [
    ['empty matches everything', {}, {}, true],
    ['maxMonthlyCost holds at the limit', { maxMonthlyCost: 100 }, {}, true],
    ['maxMonthlyCost fails above', { maxMonthlyCost: 99.99 }, {}, false],
    ['minMonthlyCost holds at the limit', { minMonthlyCost: 100 }, {}, true],
    ['minMonthlyCost fails below', { minMonthlyCost: 100.01 }, {}, false],
    ['maxVcpus per VM', { maxVcpus: 4 }, { vcpusPerVm: 4 }, true],
    ['maxVcpus exceeded', { maxVcpus: 4 }, { vcpusPerVm: 8 }, false],
    ['minVcpus', { minVcpus: 8 }, { vcpusPerVm: 4 }, false],
    ['maxMemoryMiB', { maxMemoryMiB: 8192 }, { memoryMiBPerVm: 8192 }, true],
    ['maxMemoryMiB exceeded', { maxMemoryMiB: 8192 }, { memoryMiBPerVm: 16384 }, false],
    ['minMemoryMiB', { minMemoryMiB: 16384 }, { memoryMiBPerVm: 16384 }, true],
    ['maxCount', { maxCount: 2 }, { count: 3 }, false],
    ['minCount', { minCount: 3 }, { count: 3 }, true],
    ['provider kind listed', { providerKinds: ['aws', 'gcp'] }, {}, true],
    ['provider kind not listed', { providerKinds: ['vsphere'] }, {}, false],
    ['region listed', { regions: ['eu-west-1'] }, {}, true],
    ['region not listed', { regions: ['us-east-1'] }, {}, false],
    ['project listed', { projectIds: ['p1'] }, {}, true],
    ['project not listed', { projectIds: ['p2'] }, {}, false],
    ['template by id', { templates: ['t1'] }, {}, true],
    ['template by slug', { templates: ['linux-web'] }, {}, true],
    ['template not listed', { templates: ['windows'] }, {}, false],
    ['parameter value listed', { parameters: [{ name: 'environment', values: ['dev', 'test'] }] }, {}, true],
    ['parameter value not listed', { parameters: [{ name: 'environment', values: ['prod'] }] }, {}, false],
    ['parameter missing', { parameters: [{ name: 'environment', values: ['dev'] }] }, { parameters: {} }, false],
    ['non-string parameter compared as text', { parameters: [{ name: 'replicas', values: ['3'] }] }, { parameters: { replicas: 3 } }, true],
    ['all conditions must hold', { maxMonthlyCost: 500, providerKinds: ['gcp'] }, {}, false],
  ];
  it.each(cases)('%s', (_name, conditions, over, matches) => {
    const result = evaluatePolicySet([auto(conditions)], facts(over));
    expect(result.outcome).toBe(matches ? 'auto_approve' : 'require_approval');
    expect(result.code).toBe(matches ? 'policy' : 'default');
  });
});

describe('outcomes and order', () => {
  it('auto-approves with the policy and why', () => {
    const p = auto({ maxMonthlyCost: 150 });
    expect(evaluatePolicySet([p], facts())).toMatchObject({ outcome: 'auto_approve', code: 'policy', policy: { id: p.id, name: p.name }, levels: [] });
    expect(evaluatePolicySet([p], facts()).reason).toContain('up to $150/month');
  });

  it('rejects with the policy reason', () => {
    const p = policy({ action: 'reject', rejectReason: 'GPU instances are not allowed', conditions: { minVcpus: 32 } });
    const r = evaluatePolicySet([p], facts({ vcpusPerVm: 64 }));
    expect(r).toMatchObject({ outcome: 'reject', code: 'policy', levels: [] });
    expect(r.reason).toContain('GPU instances are not allowed');
  });

  it('builds an ordered chain with modes, readable approvers and timeouts', () => {
    const p = policy({
      action: 'require_approval',
      levels: [
        { name: 'Owner', mode: 'any', approvers: [{ type: 'project_owner' }, { type: 'project_approvers' }], timeoutHours: 24, timeoutAction: 'escalate' },
        { name: 'Finance', mode: 'all', approvers: [{ type: 'user', userId: 'u9', label: 'Fin Ance' }, { type: 'role', role: 'admin' }], timeoutHours: 48, timeoutAction: 'reject' },
      ],
    });
    const r = evaluatePolicySet([p], facts());
    expect(r.outcome).toBe('require_approval');
    expect(r.levels.map((l) => [l.order, l.name, l.mode, l.approvers, l.timeoutHours, l.timeoutAction])).toEqual([
      [1, 'Owner', 'any', 'project owner, project approvers', 24, 'escalate'],
      [2, 'Finance', 'all', 'Fin Ance, role admin', 48, 'reject'],
    ]);
  });

  it('first match by priority wins, then by name; disabled policies are ignored', () => {
    const late = policy({ name: 'B late', priority: 20, action: 'auto_approve' });
    const early = policy({ name: 'A early', priority: 10, action: 'require_approval', levels: [ownerLevel] });
    const disabled = policy({ name: 'Off', priority: 1, action: 'reject', rejectReason: 'no', enabled: false });
    expect(evaluatePolicySet([late, disabled, early], facts()).policy?.name).toBe('A early');
    const tieB = policy({ name: 'Tie B', priority: 5, action: 'auto_approve' });
    const tieA = policy({ name: 'Tie A', priority: 5, action: 'require_approval', levels: [ownerLevel] });
    expect(evaluatePolicySet([tieB, tieA], facts()).policy?.name).toBe('Tie A');
  });

  it('no match: the project owner approves', () => {
    const r = evaluatePolicySet([auto({ maxMonthlyCost: 10 })], facts());
    expect(r).toMatchObject({ outcome: 'require_approval', code: 'default', policy: null });
    expect(r.levels).toMatchObject([{ order: 1, name: 'Project owner', mode: 'any', approvers: 'project owner' }]);
  });
});

describe('quota and budget', () => {
  const over = { quotaExceeded: [{ name: 'VMs (all providers)', limit: 20, after: 25 }] };
  it.each([
    ['quota, no policy → reject', [] as PolicyInput[], over, 'reject', 'quota_exceeded'],
    ['quota, hard policy → reject', [{ action: 'auto_approve' }], over, 'reject', 'quota_exceeded'],
    ['quota, soft auto policy → owner approval', [{ action: 'auto_approve', quotaMode: 'soft' }], over, 'require_approval', 'quota_exceeded'],
    ['quota, soft chain policy → its chain', [{ action: 'require_approval', quotaMode: 'soft', levels: [{ name: 'Admins', approvers: [{ type: 'role', role: 'admin' }] }] }], over, 'require_approval', 'quota_exceeded'],
    ['budget, no policy → reject', [], { budgetExceeded: true }, 'reject', 'budget_exceeded'],
    ['budget, hard → reject', [{ action: 'auto_approve', quotaMode: 'soft' }], { budgetExceeded: true }, 'reject', 'budget_exceeded'],
    ['budget, soft → approval', [{ action: 'auto_approve', budgetMode: 'soft' }], { budgetExceeded: true }, 'require_approval', 'budget_exceeded'],
    ['policy reject beats a soft overrun', [{ action: 'reject', rejectReason: 'frozen', quotaMode: 'soft' }], over, 'reject', 'policy'],
  ] as [string, PolicyInput[], Partial<RequestFacts>, string, string][])('%s', (_name, inputs, overFacts, outcome, code) => {
    const r = evaluatePolicySet(inputs.map((i) => policy(i)), facts(overFacts));
    expect([r.outcome, r.code]).toEqual([outcome, code]);
    if (outcome === 'reject' && code !== 'policy') expect(r.reason).toMatch(code === 'quota_exceeded' ? /VMs \(all providers\) 25 of 20/ : /budget/);
    if (outcome === 'require_approval') expect(r.levels.length).toBeGreaterThan(0);
  });

  it('soft chain keeps the policy’s own levels', () => {
    const p = policy({ action: 'require_approval', quotaMode: 'soft', levels: [{ name: 'Admins', approvers: [{ type: 'role', role: 'admin' }] }] });
    expect(evaluatePolicySet([p], facts(over)).levels.map((l) => l.name)).toEqual(['Admins']);
  });
});

describe('policy validation', () => {
  const issues = (input: unknown) => {
    const r = policyInputSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => i.path.join('/'));
  };
  it.each([
    ['approval chain without levels', { name: 'x', action: 'require_approval' }, 'levels'],
    ['reject without a reason', { name: 'x', action: 'reject' }, 'rejectReason'],
    ['escalate on the last level', { name: 'x', action: 'require_approval', levels: [{ ...ownerLevel, timeoutHours: 4, timeoutAction: 'escalate' }] }, 'levels/0/timeoutAction'],
    ['timeout without action', { name: 'x', action: 'require_approval', levels: [{ ...ownerLevel, timeoutHours: 4 }] }, 'levels/0/timeoutAction'],
    ['min above max', { name: 'x', action: 'auto_approve', conditions: { minMonthlyCost: 10, maxMonthlyCost: 5 } }, 'conditions/maxMonthlyCost'],
    ['unknown condition', { name: 'x', action: 'auto_approve', conditions: { colour: 'red' } }, 'conditions'],
    ['level without approvers', { name: 'x', action: 'require_approval', levels: [{ name: 'L', approvers: [] }] }, 'levels/0/approvers'],
    ['empty name', { name: ' ', action: 'auto_approve' }, 'name'],
  ])('%s', (_n, input, path) => {
    expect(issues(input)).toContain(path);
  });
  it('accepts escalation to a next level', () => {
    expect(issues({ name: 'x', action: 'require_approval', levels: [{ ...ownerLevel, timeoutHours: 4, timeoutAction: 'escalate' }, ownerLevel] })).toEqual([]);
  });
});

describe('demo policies', () => {
  it.each([
    ['small → auto-approved', { estimatedMonthlyCost: 60, vcpusPerVm: 2 }, 'auto_approve', []],
    ['over $150 → project owner', { estimatedMonthlyCost: 320, vcpusPerVm: 2 }, 'require_approval', ['Project owner']],
    ['over 4 vCPU → project owner', { estimatedMonthlyCost: 90, vcpusPerVm: 8 }, 'require_approval', ['Project owner']],
    ['over $1,000 → owner then admins', { estimatedMonthlyCost: 1500, vcpusPerVm: 8 }, 'require_approval', ['Project owner', 'Cloud governance']],
  ] as [string, Partial<RequestFacts>, string, string[]][])('%s', async (_n, over, outcome, levels) => {
    const { DEMO_POLICIES } = await import('../demo/policies-seed');
    const set = DEMO_POLICIES.map((p, i) => ({ id: `demo-${i}`, ...policyInputSchema.parse(p) }));
    const r = evaluatePolicySet(set, facts(over));
    expect(r.outcome).toBe(outcome);
    expect(r.levels.map((l) => l.name)).toEqual(levels);
  });
});
