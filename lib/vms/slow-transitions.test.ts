// Stop and start with the sandbox's slow (2 s) state transitions on every provider: the action
// job waits for the provider's state, so the Vm row ends stopped, then running.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PROVIDER_KINDS, type ProviderKind } from '@/providers/types';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import type { Principal } from '../auth/principal';
import { configureJobs } from '../jobs/context';
import { createTestDatabase } from '../testing/db';
import { runJobsUntilIdle } from '../testing/jobs';
import { createApprovedRequest, createFixture, ENGINE_TASKS, FAST_RUNTIME, startEmulatedAccount, type EmulatedAccount, type Fixture } from '../provisioning/test-fixtures';
import { runVmAction } from './actions';

const { db, url } = await createTestDatabase();
configureJobs({ db, runtime: { ...FAST_RUNTIME, pollIntervalMs: 200 } });
const accounts = new Map<ProviderKind, EmulatedAccount>();
let fixture: Fixture;
beforeAll(async () => {
  fixture = await createFixture(db);
  for (const kind of PROVIDER_KINDS) accounts.set(kind, await startEmulatedAccount(db, kind, { transitionMs: 2_000 }));
});
afterAll(async () => {
  await Promise.all([...accounts.values()].map((a) => a.emulator.close()));
});

it.each(PROVIDER_KINDS)('stops and starts a VM on %s with 2 s transitions', async (kind) => {
  const { itemIds } = await createApprovedRequest(db, fixture, [{ account: accounts.get(kind)! }]);
  await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
  const vm = await db.vm.findFirstOrThrow({ where: { requestItemId: itemIds[0] } });
  const owner: Principal = { via: 'session', userId: fixture.userId, email: fixture.email, name: 'o', roles: ['requester'], projects: { [fixture.projectId]: 'member' } };
  await runVmAction(db, owner, vm.id, { action: 'stop' }, auditContext(SYSTEM_ACTOR));
  await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
  expect((await db.vm.findUniqueOrThrow({ where: { id: vm.id } })).state).toMatch(/stopped|deallocated/);
  await runVmAction(db, owner, vm.id, { action: 'start' }, auditContext(SYSTEM_ACTOR));
  await runJobsUntilIdle(url, { tasks: ENGINE_TASKS });
  expect((await db.vm.findUniqueOrThrow({ where: { id: vm.id } })).state).toBe('running');
}, 60_000);
