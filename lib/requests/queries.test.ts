import { beforeAll, describe, expect, it } from 'vitest';
import type { ApproverType, ProjectRole, Role } from '@/generated/prisma/enums';
import { loadPrincipal, type Principal } from '../auth/principal';
import type { Db } from '../db/client';
import { createTestDatabase } from '../testing/db';
import { describeConditions, listApprovalPolicies } from './policies';
import { listMyRequests, listPendingApprovals } from './queries';

let db: Db;
const u: Record<string, string> = {};
const p: Record<string, string> = {};
let versionId = '';
let accountId = '';

async function principal(key: string): Promise<Principal> {
  const loaded = await loadPrincipal(db, u[key]!, 'session');
  if (!loaded) throw new Error('no principal');
  return loaded;
}

async function user(key: string, roles: Role[]) {
  u[key] = (await db.user.create({ data: { email: `${key}@t.test`, name: key, roles } })).id;
}

async function member(project: string, key: string, role: ProjectRole) {
  await db.projectMembership.create({ data: { projectId: p[project]!, userId: u[key]!, role } });
}

let counter = 0;
async function request(
  requester: string,
  project: string,
  status: 'draft' | 'pending_approval' | 'approved',
  steps: { approverType: ApproverType; status: 'pending' | 'waiting' | 'approved'; approverUser?: string; approverRole?: Role }[] = [],
) {
  counter += 1;
  return db.request.create({
    data: {
      requesterId: u[requester]!,
      projectId: p[project]!,
      status,
      justification: `why ${counter}`,
      estimatedMonthlyCost: 12.5 * counter,
      submittedAt: status === 'draft' ? null : new Date(Date.UTC(2026, 0, counter)),
      createdAt: new Date(Date.UTC(2026, 0, counter)),
      items: {
        create: [{
          templateVersionId: versionId, providerAccountId: accountId, regionCode: 'eu-west-1', size: 't3.medium', image: 'ami-1',
          name: `vm-${counter}`, quantity: 2, vcpus: 2, memoryMiB: 4096, diskGiB: 40, estimatedMonthlyCost: 12.5 * counter,
        }],
      },
      approvalSteps: {
        create: steps.map((s, i) => ({
          order: i + 1, name: `Step ${i + 1}`, approverType: s.approverType, status: s.status,
          approverUserId: s.approverUser ? u[s.approverUser] : null, approverRole: s.approverRole ?? null,
        })),
      },
    },
  });
}

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  await user('alice', ['requester']);
  await user('bob', ['requester']);
  await user('owner', ['requester']);
  await user('pa', ['requester']);
  await user('gov', ['requester', 'approver']);
  await user('named', ['requester']);
  for (const key of ['shop', 'data']) {
    p[key] = (await db.project.create({ data: { key, name: `Project ${key}`, costCentre: 'CC', ownerId: u.owner! } })).id;
  }
  await member('shop', 'alice', 'member');
  await member('shop', 'owner', 'owner');
  await member('data', 'pa', 'approver');
  const template = await db.catalogTemplate.create({ data: { slug: 'small', name: 'Small VM', os: 'Linux', vcpus: 2, memoryMiB: 4096, diskGiB: 40 } });
  versionId = (await db.catalogTemplateVersion.create({ data: { templateId: template.id, version: 1, snapshot: {} } })).id;
  accountId = (await db.providerAccount.create({ data: { kind: 'aws', name: 'aws-1', settings: {}, secretsCiphertext: 'x' } })).id;
});

describe('listMyRequests', () => {
  it('is empty for a user without requests', async () => {
    expect(await listMyRequests(db, await principal('bob'))).toEqual([]);
  });

  it('lists only the user’s own requests, newest first, as plain JSON', async () => {
    await request('alice', 'shop', 'draft');
    await request('alice', 'shop', 'approved');
    await request('bob', 'data', 'draft');
    const mine = await listMyRequests(db, await principal('alice'));
    expect(mine.map((r) => r.status)).toEqual(['approved', 'draft']);
    expect(mine[0]).toMatchObject({
      projectName: 'Project shop',
      requesterEmail: 'alice@t.test',
      estimatedMonthlyCost: 25,
      currency: 'USD',
      items: [{ name: 'vm-2', templateName: 'Small VM', providerKind: 'aws', regionCode: 'eu-west-1', size: 't3.medium', quantity: 2 }],
    });
    expect(typeof mine[0]!.createdAt).toBe('string');
    expect(mine[1]!.submittedAt).toBeNull();
  });
});

describe('listPendingApprovals', () => {
  it('matches pending steps by named user, role, project owner and project approver', async () => {
    const byUser = await request('alice', 'shop', 'pending_approval', [{ approverType: 'user', approverUser: 'named', status: 'pending' }]);
    const byRole = await request('alice', 'shop', 'pending_approval', [
      { approverType: 'project_owner', status: 'approved' },
      { approverType: 'role', approverRole: 'approver', status: 'pending' },
    ]);
    const byOwner = await request('alice', 'shop', 'pending_approval', [{ approverType: 'project_owner', status: 'pending' }]);
    const byProjectApprover = await request('bob', 'data', 'pending_approval', [{ approverType: 'project_approver', status: 'pending' }]);
    // Not yet the owner's turn: the first step is someone else's.
    await request('alice', 'shop', 'pending_approval', [
      { approverType: 'user', approverUser: 'named', status: 'pending' },
      { approverType: 'project_owner', status: 'waiting' },
    ]);

    const ids = async (key: string) => (await listPendingApprovals(db, await principal(key))).map((r) => r.id);
    expect(await ids('named')).toEqual([byUser.id, expect.any(String)]);
    expect(await ids('gov')).toEqual([byRole.id]);
    expect(await ids('owner')).toEqual([byOwner.id]);
    expect(await ids('pa')).toEqual([byProjectApprover.id]);
    expect(await ids('alice')).toEqual([]);

    const [role] = await listPendingApprovals(db, await principal('gov'));
    expect(role).toMatchObject({ stepName: 'Step 2', stepOrder: 2, stepCount: 2, requesterName: 'alice', projectName: 'Project shop' });
  });

  it('never lists a request for its own requester, nor requests no longer pending', async () => {
    const own = await request('gov', 'shop', 'pending_approval', [{ approverType: 'role', approverRole: 'approver', status: 'pending' }]);
    const decided = await request('alice', 'shop', 'approved', [{ approverType: 'role', approverRole: 'approver', status: 'pending' }]);
    const ids = (await listPendingApprovals(db, await principal('gov'))).map((r) => r.id);
    expect(ids).not.toContain(own.id);
    expect(ids).not.toContain(decided.id);
  });
});

describe('approval policies', () => {
  it('lists policies by priority with their steps', async () => {
    expect(await listApprovalPolicies(db)).toEqual([]);
    await db.approvalPolicy.create({
      data: {
        name: 'Standard', priority: 100, action: 'require_approval',
        steps: {
          create: [
            { order: 2, name: 'Governance', approverType: 'role', approverRole: 'approver' },
            { order: 1, name: 'Named', approverType: 'user', approverUserId: u.named! },
          ],
        },
      },
    });
    await db.approvalPolicy.create({ data: { name: 'Small', priority: 10, action: 'auto_approve', conditions: { maxMonthlyCost: 150, maxVcpus: 4 } } });
    const policies = await listApprovalPolicies(db);
    expect(policies.map((x) => x.name)).toEqual(['Small', 'Standard']);
    expect(policies[0]!.conditions).toEqual({ maxMonthlyCost: 150, maxVcpus: 4 });
    expect(policies[1]!.steps).toEqual([
      { order: 1, name: 'Named', approverType: 'user', approverRole: null, approverUser: { name: 'named', email: 'named@t.test' } },
      { order: 2, name: 'Governance', approverType: 'role', approverRole: 'approver', approverUser: null },
    ]);
  });

  it('describes conditions in words', () => {
    expect(describeConditions({})).toBe('Any request');
    expect(describeConditions({ maxMonthlyCost: 150, maxVcpus: 4 })).toBe('estimated cost up to $150/month · at most 4 vCPU per VM');
    expect(describeConditions({ providerKinds: ['aws', 'gcp'], projectIds: ['p1'], custom: true }, { p1: 'Web shop' })).toBe(
      'providers: aws, gcp · projects: Web shop · custom: true',
    );
  });
});
