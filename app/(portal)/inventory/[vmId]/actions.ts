'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { authAction } from '@/lib/actions/safe-action';
import { claimVmSchema } from '@/lib/inventory/schemas';
import { claimVm, reapplyVmTags } from '@/lib/inventory/vm';
import type { FormState } from '@/lib/validation/form-state';
import { isProviderError } from '@/providers/errors';

/** A provider refusing the tag write is the provider's answer, shown on the form (nothing changed in Skyport). */
async function providerAware(run: () => Promise<never>): Promise<FormState | string> {
  try {
    return await run();
  } catch (error) {
    if (isProviderError(error)) return { ok: false, message: `The provider refused the tags: ${error.message}`, errors: {} };
    throw error;
  }
}

export const claimVmAction = authAction({ capability: 'inventory:claim', schema: claimVmSchema.extend({ vmId: z.string().min(1).max(100) }) }, async ({ db, principal, input, audit }) =>
  providerAware(async () => {
    await claimVm(db, principal, input.vmId, { projectId: input.projectId, ownerId: input.ownerId }, audit);
    // The claim form disappears once the VM is managed, so the confirmation lives on the page it
    // redirects to (pages here are dynamic: the redirect renders them fresh).
    redirect(`/inventory/${encodeURIComponent(input.vmId)}?done=claimed`);
  }),
);

export const reapplyTagsAction = authAction({ capability: 'inventory:claim', schema: z.object({ vmId: z.string().min(1).max(100) }) }, async ({ db, principal, input, audit }) =>
  providerAware(async () => {
    await reapplyVmTags(db, principal, input.vmId, audit);
    redirect(`/inventory/${encodeURIComponent(input.vmId)}?done=tags`);
  }),
);
