import { handle } from '@/lib/api/handler';
import { cancelRequest } from '@/lib/api/operations/requests';
import * as requests from '@/lib/requests/service';

export const dynamic = 'force-dynamic';

export const POST = handle(cancelRequest, async ({ db, principal, params, body, audit }) =>
  requests.cancelRequest(db, principal, params.requestId, audit, body?.reason),
);
