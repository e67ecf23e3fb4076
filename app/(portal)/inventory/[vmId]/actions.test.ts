// The VM page's server actions end to end (without a browser): claim through the form action
// writes the tags to the AWS emulator and redirects to the confirmation; refusals come back as form state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setActionRequestSource } from '@/lib/actions/safe-action';
import { auditContext, SYSTEM_ACTOR } from '@/lib/audit/record';
import { makeProject, makeUser, startSandboxAccount, type SandboxAccount } from '@/lib/inventory/test-fixtures';
import { syncProviderAccount } from '@/lib/provider-accounts/sync';
import { createTestDatabase } from '@/lib/testing/db';
import { sessionCookie, useTestSessionSecret } from '@/lib/testing/session';
import { claimVmAction, reapplyTagsAction } from './actions';

useTestSessionSecret();
const { db } = await createTestDatabase();

function form(values: Record<string, string>) {
  const data = new FormData();
  for (const [k, v] of Object.entries(values)) data.set(k, v);
  return data;
}

async function actAs(userId: string) {
  const cookie = await sessionCookie(userId);
  setActionRequestSource({ db: () => db, headers: async () => new Headers({ cookie }) });
}

async function redirectOf(run: Promise<unknown>): Promise<string> {
  const error = await run.then(() => null, (e: unknown) => e);
  const digest = (error as { digest?: string } | null)?.digest ?? '';
  expect(digest, String(error)).toMatch(/^NEXT_REDIRECT/);
  return digest.split(';')[2] ?? '';
}

describe('VM page actions', () => {
  let sandbox: SandboxAccount;
  beforeAll(async () => {
    sandbox = await startSandboxAccount(db, 'aws');
    sandbox.emulator.seedVms({ region: sandbox.regions[0]!, count: 2, namePrefix: 'act' });
    await syncProviderAccount(db, sandbox.accountId, auditContext(SYSTEM_ACTOR));
  }, 60_000);
  afterAll(async () => {
    setActionRequestSource(null);
    await sandbox?.emulator.close();
  });

  it('claims through the form, writes tags to the provider and redirects to the confirmation; re-apply too', async () => {
    const owner = await makeUser(db, 'owner@actions.test');
    const stranger = await makeUser(db, 'stranger@actions.test');
    const project = await makeProject(db, 'act-proj', owner.id);
    const [vm] = await db.vm.findMany({ where: { providerAccountId: sandbox.accountId, managed: false }, orderBy: { name: 'asc' } });

    await actAs(stranger.id);
    const refused = await claimVmAction(null, form({ vmId: vm!.id, projectId: project.id, ownerId: owner.id }));
    expect(refused).toMatchObject({ ok: false });
    expect((await db.vm.findUniqueOrThrow({ where: { id: vm!.id } })).managed).toBe(false);

    await actAs(owner.id);
    const invalid = await claimVmAction(null, form({ vmId: vm!.id, projectId: project.id, ownerId: '' }));
    expect(invalid).toMatchObject({ ok: false, errors: { ownerId: expect.any(String) } });

    expect(await redirectOf(claimVmAction(null, form({ vmId: vm!.id, projectId: project.id, ownerId: owner.id })))).toBe(`/inventory/${vm!.id}?done=claimed`);
    expect(await db.vm.findUniqueOrThrow({ where: { id: vm!.id } })).toMatchObject({ managed: true, projectId: project.id, ownerId: owner.id });
    const adapter = await sandbox.adapter();
    try {
      expect((await adapter.get({ providerId: vm!.providerId, region: vm!.regionCode }))?.skyport).toMatchObject({ owner: owner.email, project: project.key });
    } finally {
      await adapter.close?.();
    }

    await db.vm.update({ where: { id: vm!.id }, data: { drift: true, driftReasons: ['tags_removed'] } });
    expect(await redirectOf(reapplyTagsAction(null, form({ vmId: vm!.id })))).toBe(`/inventory/${vm!.id}?done=tags`);
    expect(await db.vm.findUniqueOrThrow({ where: { id: vm!.id } })).toMatchObject({ drift: false, driftReasons: [] });
  }, 60_000);
});
