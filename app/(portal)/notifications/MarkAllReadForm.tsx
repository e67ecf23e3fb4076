'use client';

import { useActionState } from 'react';
import { FormMessage } from '@/components/ui/FormMessage';
import { SubmitButton } from '@/components/ui/SubmitButton';
import type { FormState } from '@/lib/validation/form-state';

export function MarkAllReadForm({ action }: { action: (previous: FormState, form: FormData) => Promise<FormState> }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex items-center gap-3">
      <SubmitButton variant="secondary" pendingLabel="Marking…">
        Mark all read
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
