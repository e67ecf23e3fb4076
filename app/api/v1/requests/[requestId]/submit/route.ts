import { handle } from '@/lib/api/handler';
import { submitRequest } from '@/lib/api/operations/requests';
import * as requests from '@/lib/requests/service';

export const dynamic = 'force-dynamic';

export const POST = handle(submitRequest, async ({ db, principal, params, audit }) => requests.submitDraft(db, principal, params.requestId, audit));
