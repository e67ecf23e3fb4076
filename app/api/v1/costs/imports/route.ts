import { handle } from '@/lib/api/handler';
import { importCosts } from '@/lib/api/operations/costs';
import { billingConnectionString } from '@/lib/billing/connection';
import { startStreamedImport } from '@/lib/billing/imports';

export const dynamic = 'force-dynamic';

// The multipart body is streamed to disk by lib/billing (importCosts sets streamBody); the import
// runs in the background and this answers 202 with the queued import as soon as the upload is in.
export const POST = handle(importCosts, async ({ db, principal, request, audit }) => {
  const body = request.body as AsyncIterable<Uint8Array> | null;
  const { view } = await startStreamedImport(db, billingConnectionString(), { contentType: request.headers.get('content-type'), body }, { importedById: principal.userId, audit });
  return view;
});
