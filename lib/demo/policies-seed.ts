// Demo approval policies: small requests are auto-approved; larger ones (> $150/month or > 4 vCPU)
// go to the project's owner, and above $1,000/month also to an administrator — so the demo shows
// both paths. Created once by name; an admin's later edits are kept.
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';
import { policyInputSchema, type PolicyInput } from '../policy/schemas';
import { toDbAction } from '../policy/store';

export const DEMO_POLICIES: PolicyInput[] = [
  {
    name: 'Auto-approve small requests',
    description: 'Up to $150/month and at most 4 vCPU per VM: approved at once.',
    priority: 10,
    action: 'auto_approve',
    conditions: { maxMonthlyCost: 150, maxVcpus: 4 },
  },
  {
    name: 'Large requests: owner, then cloud governance',
    description: 'Over $1,000/month: the project owner, then an administrator.',
    priority: 20,
    action: 'require_approval',
    conditions: { minMonthlyCost: 1000.01 },
    levels: [
      { name: 'Project owner', mode: 'any', approvers: [{ type: 'project_owner' }], timeoutHours: 48, timeoutAction: 'escalate' },
      { name: 'Cloud governance', mode: 'any', approvers: [{ type: 'role', role: 'admin' }], timeoutHours: 72, timeoutAction: 'reject' },
    ],
  },
  {
    name: 'Standard approval',
    description: 'Everything else (over $150/month or over 4 vCPU): the project owner approves.',
    priority: 100,
    action: 'require_approval',
    conditions: {},
    levels: [{ name: 'Project owner', mode: 'any', approvers: [{ type: 'project_owner' }] }],
  },
  {
    name: 'Large resizes need approval',
    description: 'Day-2: resizing a VM to 4 vCPU or more waits for the project owner.',
    priority: 10,
    scope: 'vm_action',
    action: 'require_approval',
    conditions: { actions: ['resize'], minVcpus: 4 },
    levels: [{ name: 'Project owner', mode: 'any', approvers: [{ type: 'project_owner' }] }],
  },
];

export async function seedDemoPolicies(db: Db): Promise<string[]> {
  for (const input of DEMO_POLICIES) {
    const p = policyInputSchema.parse(input);
    const data = {
      description: p.description,
      priority: p.priority,
      enabled: p.enabled,
      conditions: p.conditions as Prisma.InputJsonValue,
      action: toDbAction(p.action),
      levels: p.levels as unknown as Prisma.InputJsonValue,
      rejectReason: p.rejectReason,
      quotaMode: p.quotaMode,
      budgetMode: p.budgetMode,
      scope: p.scope,
    };
    const existing = await db.approvalPolicy.findUnique({ where: { name: p.name } });
    if (!existing) await db.approvalPolicy.create({ data: { name: p.name, ...data } });
    // Rows from the first demo seed had their chain in ApprovalPolicyStep only: give them levels.
    else if (existing.action === 'require_approval' && Array.isArray(existing.levels) && existing.levels.length === 0) {
      await db.approvalPolicy.update({ where: { id: existing.id }, data: { levels: data.levels, description: data.description } });
    }
  }
  return DEMO_POLICIES.map((p) => p.name);
}
