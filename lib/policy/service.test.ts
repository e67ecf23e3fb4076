// Policy CRUD with validation, evaluation from the database, and simulation over stored requests.
import { beforeAll, describe, expect, it } from 'vitest';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { createPendingRequest, createWorld, type GovernanceWorld } from '../approvals/testing';
import type { Db } from '../db/client';
import { NotFoundError, ValidationError } from '../errors';
import { createTestDatabase } from '../testing/db';
import { evaluatePolicies } from './evaluate';
import type { RequestFacts } from './schemas';
import { createPolicy, deletePolicy, listPolicies, updatePolicy } from './service';
import { simulatePolicies } from './simulate';

let db: Db;
let world: GovernanceWorld;
const audit = () => auditContext(SYSTEM_ACTOR);
beforeAll(async () => {
  ({ db } = await createTestDatabase());
  world = await createWorld(db, { req: ['requester'], own: ['requester', 'approver'], fin: ['approver'] }, { owner: 'own' });
});

async function fieldsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).issues.map((i) => i.field);
}

const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({
  projectId: world.projectId, templateId: 't', templateSlug: 't', providerKind: 'aws', providerAccountId: world.accountId, regionCode: 'eu-west-1',
  count: 1, vcpusPerVm: 2, memoryMiBPerVm: 4096, diskGiBPerVm: 40, estimatedMonthlyCost: 50, parameters: {}, requesterId: world.users.req!,
  quotaExceeded: [], budgetExceeded: false, ...over,
});

describe('policy service', () => {
  it('creates, lists in order, updates, disables and deletes with audit rows', async () => {
    const small = await createPolicy(db, { name: 'Small', priority: 10, action: 'auto_approve', conditions: { maxMonthlyCost: 150, maxVcpus: 4 } }, audit());
    const big = await createPolicy(
      db,
      {
        name: 'Big',
        priority: 20,
        action: 'require_approval',
        levels: [
          { name: 'Owner', approvers: [{ type: 'project_owner' }], timeoutHours: 24, timeoutAction: 'escalate' },
          { name: 'Finance', mode: 'all', approvers: [{ type: 'user', userId: world.users.fin! }] },
        ],
      },
      audit(),
    );
    expect(big.levels[1]!.approvers[0]).toMatchObject({ type: 'user', label: expect.stringContaining('@test.skyport') });
    expect((await listPolicies(db)).map((p) => p.name)).toEqual(['Small', 'Big']);
    expect(small.summary).toContain('estimated cost up to $150/month');

    expect((await evaluatePolicies(db, facts())).outcome).toBe('auto_approve');
    expect(await evaluatePolicies(db, facts({ estimatedMonthlyCost: 900 }))).toMatchObject({ outcome: 'require_approval', policy: { name: 'Big' } });

    await updatePolicy(db, small.id, { enabled: false }, audit());
    expect((await evaluatePolicies(db, facts())).policy?.name).toBe('Big');
    const moved = await updatePolicy(db, small.id, { enabled: true, priority: 30 }, audit());
    expect(moved.priority).toBe(30);
    expect((await listPolicies(db)).map((p) => p.name)).toEqual(['Big', 'Small']);

    await deletePolicy(db, small.id, audit());
    expect((await listPolicies(db)).map((p) => p.name)).toEqual(['Big']);
    expect(await db.auditEvent.count({ where: { targetId: small.id, action: { in: ['policy.create', 'policy.update', 'policy.delete'] } } })).toBe(4);
    await deletePolicy(db, big.id, audit());
  });

  it('refuses bad input with field errors and saves nothing', async () => {
    expect(await fieldsOf(createPolicy(db, { name: 'R', action: 'reject' }, audit()))).toContain('rejectReason');
    expect(await fieldsOf(createPolicy(db, { name: 'U', action: 'require_approval', levels: [{ name: 'x', approvers: [{ type: 'user', userId: 'nobody' }] }] }, audit()))).toEqual([
      'levels/0/approvers/0/userId',
    ]);
    expect(await fieldsOf(createPolicy(db, { name: 'P', action: 'auto_approve', conditions: { projectIds: ['missing'] } }, audit()))).toEqual(['conditions/projectIds/0']);
    await createPolicy(db, { name: 'Unique', action: 'auto_approve' }, audit());
    expect(await fieldsOf(createPolicy(db, { name: 'unique', action: 'auto_approve' }, audit()))).toEqual(['name']);
    const p = (await listPolicies(db)).find((x) => x.name === 'Unique')!;
    // A patch is validated as a whole: switching to reject needs a reason.
    expect(await fieldsOf(updatePolicy(db, p.id, { action: 'reject' }, audit()))).toContain('rejectReason');
    expect((await listPolicies(db)).map((x) => x.name)).toEqual(['Unique']);
    await expect(updatePolicy(db, 'nope', { enabled: false }, audit())).rejects.toBeInstanceOf(NotFoundError);
    await deletePolicy(db, p.id, audit());
  });
});

describe('simulatePolicies', () => {
  it('replays the last requests through a draft set and marks the ones routed differently', async () => {
    const cheap = await createPendingRequest(db, world, 'req', { cost: 80, vcpus: 2 });
    const dear = await createPendingRequest(db, world, 'req', { cost: 2000, vcpus: 8 });
    // A draft is validated like a saved policy (a level needs a name).
    const invalid = await simulatePolicies(db, {
      last: 10,
      policies: [{ name: 'Broken', action: 'require_approval', levels: [{ name: '', approvers: [{ type: 'project_owner' }] }] }],
    }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);

    const ok = await simulatePolicies(db, {
      last: 10,
      policies: [
        { name: 'Cheap auto', priority: 1, action: 'auto_approve', conditions: { maxMonthlyCost: 100 } },
        { name: 'Large requests', priority: 2, action: 'require_approval', conditions: {}, levels: [{ name: 'Owner', approvers: [{ type: 'project_owner' }] }] },
      ],
    });
    const byId = Object.fromEntries(ok.rows.map((r) => [r.requestId, r]));
    expect(byId[cheap.id]).toMatchObject({ changed: true, current: { outcome: 'require_approval' }, simulated: { outcome: 'auto_approve', policyName: 'Cheap auto' } });
    expect(byId[dear.id]).toMatchObject({ simulated: { outcome: 'require_approval', policyName: 'Large requests' } });
    expect(ok.changed).toBe(ok.rows.filter((r) => r.changed).length);
  });
});
