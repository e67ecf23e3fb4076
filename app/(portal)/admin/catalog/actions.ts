'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { authAction } from '@/lib/actions/safe-action';
import { createTemplate, updateTemplate } from '@/lib/catalog/templates';
import { ValidationError } from '@/lib/errors';
import type { FormState } from '@/lib/validation/form-state';
import { NO_FIELDS } from '@/lib/validation/input';

/** The client form sends the whole definition as one JSON field (its rows are dynamic). */
const templateFormSchema = z.object({
  definition: z.string().min(2).max(500_000),
  changelog: z.string().trim().max(500).optional(),
  expectedVersion: z.coerce.number().int().min(1).max(1_000_000).optional(),
});

function parseDefinition(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the field error
  }
  throw new ValidationError([{ field: 'body/definition', message: 'The form could not be read; reload the page and try again.' }]);
}

export async function saveTemplateAction(templateId: string | null, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:catalog', schema: templateFormSchema, conflictField: 'slug' }, async ({ input, db, audit }) => {
    const definition = parseDefinition(input.definition);
    if (!templateId) {
      const created = await createTemplate(db, { ...definition, changelog: input.changelog || undefined }, audit);
      revalidatePath('/admin/catalog');
      revalidatePath('/catalog');
      redirect(`/admin/catalog/${created.id}?saved=1`);
    }
    const { slug: _slug, ...change } = definition;
    const saved = await updateTemplate(db, templateId, { ...change, changelog: input.changelog || undefined, expectedVersion: input.expectedVersion }, audit);
    revalidatePath('/admin/catalog');
    revalidatePath(`/admin/catalog/${templateId}`);
    revalidatePath('/catalog');
    redirect(`/admin/catalog/${templateId}?saved=${saved.currentVersion}`);
  })(previous, form);
}

export async function setTemplateArchivedAction(templateId: string, archived: boolean, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:catalog', schema: NO_FIELDS }, async ({ db, audit }) => {
    await updateTemplate(db, templateId, { archived }, audit);
    revalidatePath('/admin/catalog');
    revalidatePath(`/admin/catalog/${templateId}`);
    revalidatePath('/catalog');
    return archived ? 'Template archived: it is hidden from the catalog; existing requests keep their version.' : 'Template restored to the catalog.';
  })(previous, form);
}
