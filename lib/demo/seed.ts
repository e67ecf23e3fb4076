// Demo data for the embedded default (or SKYPORT_DEMO=1): three users, two projects, catalog
// templates with per-provider mappings, a price book, approval policies, quotas and budgets.
// Idempotent: every row is upserted by a natural key, so it runs at every start.
import type { Db } from '../db/client';
import type { Role } from '@/generated/prisma/enums';
import { hashPassword, verifyPassword } from '../auth/password';
import { auditContext, recordAudit, SYSTEM_ACTOR } from '../audit/record';
import { DEMO_TEMPLATES } from './catalog-data';
import { seedDemoCatalog } from './catalog-seed';
import { seedDemoCosts } from '../billing/demo';
import { seedDemoPolicies } from './policies-seed';

export const DEMO_USERS: { email: string; name: string; roles: Role[] }[] = [
  { email: 'requester@demo.skyport', name: 'Riley Requester', roles: ['requester'] },
  { email: 'approver@demo.skyport', name: 'Avery Approver', roles: ['requester', 'approver'] },
  { email: 'admin@demo.skyport', name: 'Ada Admin', roles: ['requester', 'approver', 'admin'] },
];

const DEMO_PROJECTS = [
  { key: 'web-shop', name: 'Web shop', description: 'Customer-facing storefront and its APIs.', costCentre: 'CC-1001', owner: 'approver@demo.skyport', monthlyBudget: 5000 },
  { key: 'data-platform', name: 'Data platform', description: 'Analytics pipelines and reporting.', costCentre: 'CC-2002', owner: 'admin@demo.skyport', monthlyBudget: 2000 },
];

export interface SeedResult {
  created: boolean;
}

export async function seedDemoData(db: Db, options: { password: string; costRollupTagKeys?: string[] }): Promise<SeedResult> {
  const existingAdmin = await db.user.findUnique({ where: { email: 'admin@demo.skyport' } });
  const users: Record<string, string> = {};
  for (const demo of DEMO_USERS) {
    const current = await db.user.findUnique({ where: { email: demo.email } });
    // Re-hash only when the configured demo password changed (argon2 is deliberately slow).
    const passwordHash =
      current?.passwordHash && (await verifyPassword(current.passwordHash, options.password))
        ? current.passwordHash
        : await hashPassword(options.password);
    const user = await db.user.upsert({
      where: { email: demo.email },
      create: { email: demo.email, name: demo.name, roles: demo.roles, passwordHash },
      update: { passwordHash },
    });
    users[demo.email] = user.id;
  }

  const projects: Record<string, string> = {};
  for (const p of DEMO_PROJECTS) {
    const project = await db.project.upsert({
      where: { key: p.key },
      create: { key: p.key, name: p.name, description: p.description, costCentre: p.costCentre, ownerId: users[p.owner]! },
      update: {},
    });
    projects[p.key] = project.id;
    // A NULL providerKind (all providers) cannot be addressed through the compound unique key.
    const quota = await db.quota.findFirst({ where: { projectId: project.id, providerKind: null } });
    if (!quota) {
      await db.quota.create({
        data: { projectId: project.id, maxInstances: 20, maxVcpus: 64, maxMemoryMiB: 256 * 1024, maxDiskGiB: 4096 },
      });
    }
    const budget = await db.budget.findFirst({ where: { projectId: project.id, name: `${p.name} monthly` } });
    if (!budget) {
      await db.budget.create({
        data: {
          name: `${p.name} monthly`,
          projectId: project.id,
          amount: p.monthlyBudget,
          period: 'monthly',
          alertThresholds: [50, 80, 100],
          startsOn: new Date(Date.UTC(new Date().getUTCFullYear(), 0, 1)),
        },
      });
    }
  }

  const memberships: [string, string, 'member' | 'approver' | 'owner'][] = [
    ['web-shop', 'requester@demo.skyport', 'member'],
    ['data-platform', 'requester@demo.skyport', 'member'],
    ['web-shop', 'approver@demo.skyport', 'owner'],
    ['data-platform', 'approver@demo.skyport', 'approver'],
    ['data-platform', 'admin@demo.skyport', 'owner'],
  ];
  for (const [projectKey, email, role] of memberships) {
    await db.projectMembership.upsert({
      where: { projectId_userId: { projectId: projects[projectKey]!, userId: users[email]! } },
      create: { projectId: projects[projectKey]!, userId: users[email]!, role },
      update: {},
    });
  }

  await seedDemoCatalog(db);

  const policyNames = await seedDemoPolicies(db);
  await seedDemoCosts(db, { rollupTagKeys: options.costRollupTagKeys });

  const created = !existingAdmin;
  if (created) {
    await recordAudit(db, auditContext(SYSTEM_ACTOR), {
      action: 'demo.seed',
      targetType: 'system',
      after: { users: DEMO_USERS.length, projects: DEMO_PROJECTS.length, templates: DEMO_TEMPLATES.length, policies: policyNames },
    });
  }
  return { created };
}
