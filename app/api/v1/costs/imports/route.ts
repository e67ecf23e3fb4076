import { handle } from '@/lib/api/handler';
import { importCosts } from '@/lib/api/operations/costs';
import { billingConnectionString } from '@/lib/billing/connection';
import { startUploadImport } from '@/lib/billing/imports';
import { ValidationError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

export const POST = handle(importCosts, async ({ db, principal, body, form, audit }) => {
  const file = form?.get('file');
  if (!(file instanceof File)) throw new ValidationError([{ field: 'file', message: 'Attach the cost file as the multipart field "file".' }]);
  const { view } = await startUploadImport(db, billingConnectionString(), file, { importedById: principal.userId, defaults: body, audit });
  return view;
});
