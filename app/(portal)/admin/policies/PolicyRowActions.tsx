'use client';

import { useActionState } from 'react';
import { FormMessage } from '@/components/ui/FormMessage';
import { SubmitButton } from '@/components/ui/SubmitButton';
import type { FormState } from '@/lib/validation/form-state';

type Action = (previous: FormState, form: FormData) => Promise<FormState>;

export function PolicyRowActions({ name, enabled, toggle, remove }: { name: string; enabled: boolean; toggle: Action; remove: Action }) {
  const [toggleState, toggleAction] = useActionState(toggle, null);
  const [removeState, removeAction] = useActionState(remove, null);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <form action={toggleAction}>
        <SubmitButton variant="secondary" pendingLabel="Saving…" aria-label={`${enabled ? 'Disable' : 'Enable'} ${name}`}>
          {enabled ? 'Disable' : 'Enable'}
        </SubmitButton>
      </form>
      <form
        action={removeAction}
        onSubmit={(e) => {
          if (!window.confirm(`Delete the policy “${name}”? Requests it routed keep its name and reason.`)) e.preventDefault();
        }}
      >
        <SubmitButton variant="danger" pendingLabel="Deleting…" aria-label={`Delete ${name}`}>
          Delete
        </SubmitButton>
      </form>
      <FormMessage state={toggleState ?? removeState} />
    </div>
  );
}
