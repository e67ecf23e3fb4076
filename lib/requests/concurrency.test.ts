// 50 concurrent submissions against one quota on a real PostgreSQL: the per-project row lock in
// the submit transaction serializes them, so together they never exceed the quota.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPrincipal } from '../auth/principal';
import type { Db } from '../db/client';
import { createTestDatabase } from '../testing/db';
import { loadProjectUsage } from './quota';
import { createRequest, QuotaExceededError } from './service';
import { AUDIT, createRequestsFixture, type RequestsFixture } from './test-fixtures';

let db: Db;
let f: RequestsFixture;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  f = await createRequestsFixture(db, { maxInstances: 20 });
});

describe('concurrent createRequest against one quota', () => {
  it('50 submissions of 1 VM each with a quota of 20: exactly 20 accepted, 30 get the quota 409', async () => {
    const principal = (await loadPrincipal(db, f.users.requester, 'session'))!;
    const body = { projectId: f.projectId, templateId: f.templateId, size: 'small', providerAccountId: f.awsAccountId, region: 'us-east-1', count: 1, parameters: { environment: 'dev' } };
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => createRequest(db, principal, body, AUDIT)));
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.every((r) => r.reason instanceof QuotaExceededError)).toBe(true);
    expect(accepted).toHaveLength(20);
    expect(refused).toHaveLength(30);
    const usage = await loadProjectUsage(db, f.projectId);
    expect(usage.total.instances).toBe(20);
    expect(await db.request.count({ where: { projectId: f.projectId } })).toBe(20);
  });
});
