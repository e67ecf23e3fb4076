'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { authAction } from '@/lib/actions/safe-action';
import { decideApproval, decideApprovals } from '@/lib/approvals';
import { DECISIONS } from '@/lib/approvals/schemas';
import type { FormState } from '@/lib/validation/form-state';

const decisionForm = z.object({ decision: z.enum(DECISIONS), comment: z.string().max(2000).optional() });

export async function decideAction(approvalId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'approval:decide', schema: decisionForm }, async ({ input, principal, db, audit }) => {
    // No revalidation here: the card stays to show the outcome; the list refreshes on request.
    const result = await decideApproval(db, principal, approvalId, { decision: input.decision, comment: input.comment || undefined }, audit);
    return result.decision === 'reject'
      ? 'Rejected. The requester has been told why.'
      : result.requestStatus === 'approved'
        ? result.kind === 'vm_action'
          ? 'Approved. The action runs now.'
          : 'Approved. The request goes to provisioning.'
        : result.levelStatus === 'approved'
          ? 'Approved. The request moves to the next approval level.'
          : 'Your approval is recorded; the other approvers of this level still have to approve.';
  })(previous, form);
}

const bulkForm = z.object({
  approvalIds: z.array(z.string().min(1).max(100)).max(100),
  decision: z.enum(DECISIONS),
  comment: z.string().max(2000).optional(),
});

export async function bulkDecideAction(previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'approval:decide', schema: bulkForm }, async ({ input, principal, db, audit }) => {
    const { results } = await decideApprovals(db, principal, { approvalIds: input.approvalIds, decision: input.decision, comment: input.comment || undefined }, audit);
    revalidatePath('/approvals');
    const failed = results.filter((r) => !r.ok);
    const done = results.length - failed.length;
    const verb = input.decision === 'approve' ? 'approved' : 'rejected';
    if (!failed.length) return `${done} ${done === 1 ? 'request' : 'requests'} ${verb}.`;
    return { ok: false, message: `${done} ${verb}; ${failed.length} not: ${failed.map((f) => f.error).join(' ')}`, errors: {} };
  })(previous, form);
}
