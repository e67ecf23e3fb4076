import { beforeAll, describe, expect, it } from 'vitest';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { loadPrincipal, type Principal } from '../auth/principal';
import type { Db } from '../db/client';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { createTestDatabase } from '../testing/db';
import {
  addProjectMember,
  archiveProject,
  createProject,
  getProject,
  getProjectQuotas,
  listProjectBudgets,
  listProjectMembers,
  listProjects,
  removeProjectMember,
  restoreProject,
  setProjectQuota,
  updateProject,
  updateProjectMember,
} from './service';

const audit = () => auditContext(SYSTEM_ACTOR);

let db: Db;
const ids = { admin: '', alice: '', bob: '', carol: '', disabled: '' };

async function principal(userId: string, via: Principal['via'] = 'session', scopes?: string[]): Promise<Principal> {
  const p = await loadPrincipal(db, userId, via, scopes ? { id: 'tok', scopes } : undefined);
  if (!p) throw new Error('no principal');
  return p;
}

async function auditRows(action: string, targetId?: string) {
  return db.auditEvent.findMany({ where: { action, ...(targetId ? { targetId } : {}) }, orderBy: { id: 'asc' } });
}

async function expectValidation(promise: Promise<unknown>, field: string) {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).issues.map((i) => i.field)).toContain(field);
  return error as ValidationError;
}

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  const mk = (email: string, roles: ('requester' | 'approver' | 'admin')[], status: 'active' | 'disabled' = 'active') =>
    db.user.create({ data: { email, name: email.split('@')[0]!, roles, status } });
  ids.admin = (await mk('admin@t.test', ['requester', 'approver', 'admin'])).id;
  ids.alice = (await mk('alice@t.test', ['requester'])).id;
  ids.bob = (await mk('bob@t.test', ['requester', 'approver'])).id;
  ids.carol = (await mk('carol@t.test', ['requester'])).id;
  ids.disabled = (await mk('gone@t.test', ['requester'], 'disabled')).id;
});

describe('projects', () => {
  let projectId = '';

  it('an admin creates a project; the owner becomes an owner-member; both writes are audited', async () => {
    const admin = await principal(ids.admin);
    const created = await createProject(
      db,
      admin,
      { key: 'web-shop', name: 'Web shop', description: 'Store', costCentre: 'CC-1', ownerId: ids.alice },
      audit(),
    );
    projectId = created.id;
    expect(created).toMatchObject({ key: 'web-shop', name: 'Web shop', costCentre: 'CC-1', memberCount: 1, archivedAt: null });
    expect(created.owner).toMatchObject({ id: ids.alice, email: 'alice@t.test' });
    expect(created.quota).toEqual({ overall: null, providerKinds: [] });
    const membership = await db.projectMembership.findUnique({ where: { projectId_userId: { projectId, userId: ids.alice } } });
    expect(membership?.role).toBe('owner');
    const [createRow] = await auditRows('project.create', projectId);
    expect(createRow?.after).toMatchObject({ key: 'web-shop', ownerId: ids.alice });
    expect(await auditRows('project.member.add', projectId)).toHaveLength(1);
  });

  it('rejects invalid input with field-level issues', async () => {
    const admin = await principal(ids.admin);
    const error = await expectValidation(
      createProject(db, admin, { key: 'Bad Key!', name: '', costCentre: '', ownerId: ids.alice }, audit()),
      'body/key',
    );
    const fields = error.issues.map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['body/key', 'body/name', 'body/costCentre']));
  });

  it('rejects a duplicate key (409), an unknown owner and a disabled owner (400 on ownerId)', async () => {
    const admin = await principal(ids.admin);
    const base = { name: 'X', costCentre: 'CC', ownerId: ids.alice };
    await expect(createProject(db, admin, { ...base, key: 'web-shop' }, audit())).rejects.toBeInstanceOf(ConflictError);
    await expectValidation(createProject(db, admin, { ...base, key: 'x1', ownerId: 'nope' }, audit()), 'body/ownerId');
    await expectValidation(createProject(db, admin, { ...base, key: 'x2', ownerId: ids.disabled }, audit()), 'body/ownerId');
    expect(await db.project.count()).toBe(1);
  });

  it('only admins create or update projects', async () => {
    const alice = await principal(ids.alice);
    await expect(
      createProject(db, alice, { key: 'mine', name: 'Mine', costCentre: 'CC', ownerId: ids.alice }, audit()),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(updateProject(db, alice, projectId, { name: 'Hacked' }, audit())).rejects.toBeInstanceOf(ForbiddenError);
    // An admin acting through a read-only token cannot write either.
    const adminRo = await principal(ids.admin, 'api_token', ['read']);
    await expect(updateProject(db, adminRo, projectId, { name: 'RO' }, audit())).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('lists all projects for admins and only memberships for others, with member count and quota summary', async () => {
    const admin = await principal(ids.admin);
    await createProject(db, admin, { key: 'data', name: 'Data', costCentre: 'CC-2', ownerId: ids.bob }, audit());
    expect((await listProjects(db, admin)).map((p) => p.key)).toEqual(['data', 'web-shop']);
    const alice = await principal(ids.alice);
    const visible = await listProjects(db, alice);
    expect(visible.map((p) => p.key)).toEqual(['web-shop']);
    expect(visible[0]).toMatchObject({ myRole: 'owner', memberCount: 1 });
    expect(await listProjects(db, await principal(ids.carol))).toEqual([]);
    expect((await listProjects(db, admin, { q: 'CC-2' })).map((p) => p.key)).toEqual(['data']);
  });

  it('getProject: members and admins only (403 otherwise), 404 for unknown ids', async () => {
    const alice = await principal(ids.alice);
    expect((await getProject(db, alice, projectId)).usage).toEqual({ instances: 0, vcpus: 0, memoryMiB: 0, diskGiB: 0 });
    await expect(getProject(db, await principal(ids.carol), projectId)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(getProject(db, await principal(ids.admin), 'missing')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('updates fields, keeps the key, transfers ownership (new owner becomes owner-member), audited with before/after', async () => {
    const admin = await principal(ids.admin);
    const updated = await updateProject(db, admin, projectId, { name: 'Web Shop 2', costCentre: 'CC-9', ownerId: ids.bob }, audit());
    expect(updated).toMatchObject({ key: 'web-shop', name: 'Web Shop 2', costCentre: 'CC-9', memberCount: 2 });
    expect(updated.owner.id).toBe(ids.bob);
    const bobMembership = await db.projectMembership.findUnique({ where: { projectId_userId: { projectId, userId: ids.bob } } });
    expect(bobMembership?.role).toBe('owner');
    const [row] = await auditRows('project.update', projectId);
    expect(row?.before).toMatchObject({ name: 'Web shop', ownerId: ids.alice });
    expect(row?.after).toMatchObject({ name: 'Web Shop 2', ownerId: ids.bob });
    // Saving unchanged values writes nothing.
    const before = await db.auditEvent.count();
    await updateProject(db, admin, projectId, { name: 'Web Shop 2', costCentre: 'CC-9', ownerId: ids.bob, archived: false }, audit());
    expect(await db.auditEvent.count()).toBe(before);
  });

  it('archives and restores; archived projects are hidden from the default list', async () => {
    const admin = await principal(ids.admin);
    const archived = await archiveProject(db, admin, projectId, audit());
    expect(archived.archivedAt).not.toBeNull();
    expect((await listProjects(db, admin)).map((p) => p.key)).toEqual(['data']);
    expect((await listProjects(db, admin, { includeArchived: 'true' })).map((p) => p.key)).toContain('web-shop');
    expect(await auditRows('project.archive', projectId)).toHaveLength(1);
    expect((await restoreProject(db, admin, projectId, audit())).archivedAt).toBeNull();
    expect(await auditRows('project.restore', projectId)).toHaveLength(1);
  });

  describe('members', () => {
    it('an admin adds by e-mail or id; duplicates conflict; unknown/disabled users are field errors', async () => {
      const admin = await principal(ids.admin);
      const added = await addProjectMember(db, admin, projectId, { email: 'CAROL@t.test', role: 'member' }, audit());
      expect(added).toMatchObject({ userId: ids.carol, role: 'member', isProjectOwner: false });
      await expect(addProjectMember(db, admin, projectId, { userId: ids.carol }, audit())).rejects.toBeInstanceOf(ConflictError);
      await expectValidation(addProjectMember(db, admin, projectId, { email: 'nobody@t.test' }, audit()), 'body/email');
      await expectValidation(addProjectMember(db, admin, projectId, { userId: ids.disabled }, audit()), 'body/userId');
      await expectValidation(addProjectMember(db, admin, projectId, { role: 'member' }, audit()), 'body/email');
      await expectValidation(addProjectMember(db, admin, projectId, { email: 'carol@t.test', role: 'boss' as 'owner' }, audit()), 'body/role');
      const [row] = await auditRows('project.member.add', projectId).then((rows) => rows.filter((r) => (r.after as { userId?: string }).userId === ids.carol));
      expect(row?.after).toMatchObject({ role: 'member' });
    });

    it('lists members owners first', async () => {
      const members = await listProjectMembers(db, await principal(ids.carol), projectId);
      expect(members.map((m) => [m.email, m.role, m.isProjectOwner])).toEqual([
        ['alice@t.test', 'owner', false],
        ['bob@t.test', 'owner', true],
        ['carol@t.test', 'member', false],
      ]);
      await expect(listProjectMembers(db, await principal(ids.admin), 'missing')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('a project owner manages members; a plain member, a non-member and a read-only token cannot', async () => {
      const bob = await principal(ids.bob); // owner of the project, not an admin
      const updated = await updateProjectMember(db, bob, projectId, ids.carol, { role: 'approver' }, audit());
      expect(updated.role).toBe('approver');
      const [row] = await auditRows('project.member.update', projectId).then((rows) => rows.slice(-1));
      expect(row).toMatchObject({ before: { userId: ids.carol, role: 'member' }, after: { userId: ids.carol, role: 'approver' } });

      const carol = await principal(ids.carol); // approver-member
      await expect(updateProjectMember(db, carol, projectId, ids.alice, { role: 'member' }, audit())).rejects.toBeInstanceOf(ForbiddenError);
      const bobRo = await principal(ids.bob, 'api_token', ['read']);
      await expect(removeProjectMember(db, bobRo, projectId, ids.carol, audit())).rejects.toBeInstanceOf(ForbiddenError);
      const dataId = (await db.project.findUniqueOrThrow({ where: { key: 'data' } })).id;
      const alice = await principal(ids.alice);
      await expect(addProjectMember(db, alice, dataId, { userId: ids.carol }, audit())).rejects.toBeInstanceOf(ForbiddenError);
    });

    it("the project's owner cannot be demoted or removed; unknown members are 404", async () => {
      const admin = await principal(ids.admin);
      await expectValidation(updateProjectMember(db, admin, projectId, ids.bob, { role: 'member' }, audit()), 'body/role');
      await expect(removeProjectMember(db, admin, projectId, ids.bob, audit())).rejects.toBeInstanceOf(ValidationError);
      await expect(removeProjectMember(db, admin, projectId, ids.admin, audit())).rejects.toBeInstanceOf(NotFoundError);
    });

    it('removes a member and audits it', async () => {
      const bob = await principal(ids.bob);
      await removeProjectMember(db, bob, projectId, ids.carol, audit());
      expect(await db.projectMembership.count({ where: { projectId, userId: ids.carol } })).toBe(0);
      const rows = await auditRows('project.member.remove', projectId);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.before).toMatchObject({ userId: ids.carol, role: 'approver' });
    });
  });

  describe('quotas', () => {
    it('sets the all-providers quota, updates it in place, and removes it when every limit is empty', async () => {
      const admin = await principal(ids.admin);
      const first = await setProjectQuota(db, admin, projectId, { maxInstances: 10, maxVcpus: 32 }, audit());
      expect(first.quotas).toHaveLength(1);
      expect(first.quotas[0]).toMatchObject({ providerKind: null, maxInstances: 10, maxVcpus: 32, maxMemoryMiB: null });
      const second = await setProjectQuota(db, admin, projectId, { providerKind: null, maxInstances: 12, maxVcpus: 32 }, audit());
      expect(second.quotas).toHaveLength(1);
      expect(second.quotas[0]?.maxInstances).toBe(12);
      await setProjectQuota(db, admin, projectId, { providerKind: 'aws', maxInstances: 5 }, audit());
      const project = await getProject(db, admin, projectId);
      expect(project.quota).toEqual({
        overall: { maxInstances: 12, maxVcpus: 32, maxMemoryMiB: null, maxDiskGiB: null },
        providerKinds: ['aws'],
      });
      expect(project.quotas.map((q) => q.providerKind)).toEqual([null, 'aws']);
      const sets = await auditRows('project.quota.set', projectId);
      expect(sets).toHaveLength(3);
      expect(sets[1]?.before).toMatchObject({ maxInstances: 10 });
      expect(sets[1]?.after).toMatchObject({ maxInstances: 12 });
      await setProjectQuota(db, admin, projectId, { providerKind: 'aws' }, audit());
      expect((await getProjectQuotas(db, admin, projectId)).quotas.map((q) => q.providerKind)).toEqual([null]);
      expect(await auditRows('project.quota.remove', projectId)).toHaveLength(1);
    });

    it('validates limits and allows only admins to set them; members can read', async () => {
      const admin = await principal(ids.admin);
      await expectValidation(setProjectQuota(db, admin, projectId, { maxVcpus: -1 }, audit()), 'body/maxVcpus');
      await expectValidation(setProjectQuota(db, admin, projectId, { maxVcpus: 1.5 }, audit()), 'body/maxVcpus');
      await expectValidation(setProjectQuota(db, admin, projectId, { providerKind: 'ibm' as 'aws', maxVcpus: 1 }, audit()), 'body/providerKind');
      const bob = await principal(ids.bob);
      await expect(setProjectQuota(db, bob, projectId, { maxVcpus: 1000 }, audit())).rejects.toBeInstanceOf(ForbiddenError);
      expect((await getProjectQuotas(db, bob, projectId)).quotas[0]?.maxVcpus).toBe(32);
      await expect(getProjectQuotas(db, await principal(ids.carol), projectId)).rejects.toBeInstanceOf(ForbiddenError);
    });

    it('reports usage from live VMs', async () => {
      const account = await db.providerAccount.create({ data: { kind: 'aws', name: 'aws', settings: {}, secretsCiphertext: 'x' } });
      const vm = (providerId: string, state: 'running' | 'deleted') =>
        db.vm.create({
          data: { providerAccountId: account.id, providerKind: 'aws', regionCode: 'eu-west-1', providerId, name: providerId, size: 't3', vcpus: 2, memoryMiB: 4096, diskGiB: 20, state, projectId },
        });
      await vm('i-1', 'running');
      await vm('i-2', 'running');
      await vm('i-3', 'deleted');
      expect((await getProjectQuotas(db, await principal(ids.admin), projectId)).usage).toEqual({ instances: 2, vcpus: 4, memoryMiB: 8192, diskGiB: 40 });
    });
  });

  it('lists budgets for members with plain-JSON amounts', async () => {
    await db.budget.create({ data: { name: 'Monthly', projectId, amount: 5000, startsOn: new Date(Date.UTC(2026, 0, 1)), alertThresholds: [50, 100] } });
    const budgets = await listProjectBudgets(db, await principal(ids.bob), projectId);
    expect(budgets).toEqual([
      expect.objectContaining({ name: 'Monthly', amount: '5000.00', currency: 'USD', period: 'monthly', startsOn: '2026-01-01', alertThresholds: [50, 100] }),
    ]);
    await expect(listProjectBudgets(db, await principal(ids.carol), projectId)).rejects.toBeInstanceOf(ForbiddenError);
  });
});
