'use client';

import { useActionState } from 'react';
import { FormMessage } from '@/components/ui/FormMessage';
import { SubmitButton } from '@/components/ui/SubmitButton';
import type { FormState } from '@/lib/validation/form-state';

/** Archive (hide from the catalog, keep every version) or restore a template. */
export function ArchiveForm({ action, archived }: { action: (previous: FormState, form: FormData) => Promise<FormState>; archived: boolean }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-3">
      <SubmitButton variant={archived ? 'secondary' : 'danger'} pendingLabel={archived ? 'Restoring…' : 'Archiving…'}>
        {archived ? 'Restore to catalog' : 'Archive template'}
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
