'use client';

import { useRouter } from 'next/navigation';
import { useActionState, useId } from 'react';
import { fieldProps, inputClass } from '@/components/ui/Field';
import { FormMessage } from '@/components/ui/FormMessage';
import { SubmitButton } from '@/components/ui/SubmitButton';
import type { FormState } from '@/lib/validation/form-state';

type Action = (previous: FormState, form: FormData) => Promise<FormState>;

/** Approve or reject one approval; rejecting needs a comment (checked again on the server). */
export function DecisionForm({ action, label }: { action: Action; label: string }) {
  const [state, formAction] = useActionState(action, null);
  const id = useId();
  const router = useRouter();
  const error = state && !state.ok ? state.errors.comment : undefined;
  if (state?.ok) {
    return (
      <div className="space-y-2">
        <FormMessage state={state} />
        <button type="button" onClick={() => router.refresh()} className="text-sm text-link dark:text-brand-100 underline">
          Refresh the inbox
        </button>
      </div>
    );
  }
  return (
    <form action={formAction} className="space-y-2" aria-label={`Decide ${label}`}>
      <label htmlFor={`${id}-comment`} className="block text-sm font-medium text-slate-800">
        Comment <span className="font-normal text-slate-600">(required to reject)</span>
      </label>
      <textarea
        name="comment"
        rows={2}
        maxLength={2000}
        className={inputClass}
        defaultValue={state && !state.ok ? state.values?.comment : undefined}
        {...fieldProps(`${id}-comment`, { error })}
      />
      {error && (
        <p id={`${id}-comment-error`} className="text-xs font-medium text-red-700">
          {error}
        </p>
      )}
      <div className="flex flex-wrap gap-2">
        <SubmitButton name="decision" value="approve" pendingLabel="Deciding…" aria-label={`Approve ${label}`}>
          Approve
        </SubmitButton>
        <SubmitButton name="decision" value="reject" variant="danger" pendingLabel="Deciding…" aria-label={`Reject ${label}`}>
          Reject
        </SubmitButton>
      </div>
      <FormMessage state={state} />
    </form>
  );
}

/**
 * The bulk bar: acts on the approvals whose checkboxes (form="bulk-decisions") are ticked. Rendered
 * even when the list is empty (`empty`: only the outcome message), so the message survives the
 * refresh that removes the decided approvals.
 */
export function BulkDecisionForm({ action, empty = false }: { action: Action; empty?: boolean }) {
  const [state, formAction] = useActionState(action, null);
  const id = useId();
  const errors = state && !state.ok ? state.errors : {};
  const problem = errors.approvalIds ?? errors.comment;
  if (empty) return <FormMessage state={state} />;
  return (
    <form id="bulk-decisions" action={formAction} className="flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-surface p-3" aria-label="Decide selected approvals">
      <div className="min-w-48 flex-1">
        <label htmlFor={`${id}-comment`} className="block text-sm font-medium text-slate-800">
          Comment for the selected <span className="font-normal text-slate-600">(required to reject)</span>
        </label>
        <input name="comment" maxLength={2000} className={inputClass} {...fieldProps(`${id}-comment`, { error: errors.comment })} />
      </div>
      <SubmitButton name="decision" value="approve" variant="secondary" pendingLabel="Deciding…">
        Approve selected
      </SubmitButton>
      <SubmitButton name="decision" value="reject" variant="danger" pendingLabel="Deciding…">
        Reject selected
      </SubmitButton>
      <div className="w-full">
        {problem && <p className="text-xs font-medium text-red-700">{problem}</p>}
        <FormMessage state={state} />
      </div>
    </form>
  );
}
