// Test fixtures for governance tests: users, a project, a template version, a provider account and
// submitted requests, written straight to the database (the request form is another area's).
import type { Role } from '@/generated/prisma/enums';
import { loadPrincipal, type Principal } from '../auth/principal';
import type { Db } from '../db/client';

export interface GovernanceWorld {
  users: Record<string, string>;
  projectId: string;
  templateVersionId: string;
  accountId: string;
}

let counter = 0;

export async function createWorld(db: Db, userRoles: Record<string, Role[]>, options: { owner: string; projectApprovers?: string[] }): Promise<GovernanceWorld> {
  const tag = `${Date.now().toString(36)}${++counter}`;
  const users: Record<string, string> = {};
  for (const [key, roles] of Object.entries(userRoles)) {
    const u = await db.user.create({ data: { email: `${key}-${tag}@test.skyport`, name: `${key[0]!.toUpperCase()}${key.slice(1)} ${tag}`, roles } });
    users[key] = u.id;
  }
  const project = await db.project.create({ data: { key: `gov-${tag}`, name: `Gov ${tag}`, costCentre: 'CC-1', ownerId: users[options.owner]! } });
  await db.projectMembership.create({ data: { projectId: project.id, userId: users[options.owner]!, role: 'owner' } });
  for (const key of options.projectApprovers ?? []) {
    await db.projectMembership.create({ data: { projectId: project.id, userId: users[key]!, role: 'approver' } });
  }
  const template = await db.catalogTemplate.create({ data: { slug: `tpl-${tag}`, name: `Linux ${tag}`, os: 'linux', vcpus: 2, memoryMiB: 4096, diskGiB: 40 } });
  const version = await db.catalogTemplateVersion.create({ data: { templateId: template.id, version: 1, snapshot: {} } });
  const account = await db.providerAccount.create({ data: { kind: 'aws', name: `aws-${tag}`, settings: {}, secretsCiphertext: 'x' } });
  return { users, projectId: project.id, templateVersionId: version.id, accountId: account.id };
}

/** A request as the requests area leaves it just before starting the chain. */
export async function createPendingRequest(db: Db, world: GovernanceWorld, requester: string, options: { cost?: number; count?: number; vcpus?: number } = {}) {
  const cost = options.cost ?? 320;
  return db.request.create({
    data: {
      requesterId: world.users[requester]!,
      projectId: world.projectId,
      status: 'pending_approval',
      submittedAt: new Date(),
      justification: 'Launch capacity',
      estimatedMonthlyCost: cost,
      policyName: 'Large requests',
      policyReason: '“Large requests” requires approval (estimated cost from $150/month).',
      policyCode: 'policy',
      evaluation: {
        outcome: 'require_approval',
        levels: [],
        quota: { lines: [{ name: 'vCPU (all providers)', limit: 64, after: 24, exceeded: false }], exceeded: [] },
        budget: { budget: '5000.00', after: '1320.00', exceeded: false },
      },
      items: {
        create: {
          templateVersionId: world.templateVersionId,
          providerAccountId: world.accountId,
          regionCode: 'eu-west-1',
          size: 'large',
          image: 'ami-1',
          name: 'web',
          quantity: options.count ?? 2,
          vcpus: options.vcpus ?? 8,
          memoryMiB: 16384,
          diskGiB: 80,
          estimatedMonthlyCost: cost,
        },
      },
    },
  });
}

export async function principalOf(db: Db, userId: string): Promise<Principal> {
  const p = await loadPrincipal(db, userId, 'session');
  if (!p) throw new Error(`no principal for ${userId}`);
  return p;
}
