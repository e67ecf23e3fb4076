import { handle } from '@/lib/api/handler';
import { getRequest } from '@/lib/api/operations/requests';
import * as requests from '@/lib/requests/service';

export const dynamic = 'force-dynamic';

export const GET = handle(getRequest, async ({ db, principal, params }) => requests.getRequest(db, principal, params.requestId));
