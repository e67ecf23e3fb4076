import { handle } from '@/lib/api/handler';
import { createRequest, listRequests } from '@/lib/api/operations/requests';
import * as requests from '@/lib/requests/service';

export const dynamic = 'force-dynamic';

export const GET = handle(listRequests, async ({ db, principal, query }) => requests.listRequests(db, principal, query));

export const POST = handle(createRequest, async ({ db, principal, body, audit }) => requests.createRequest(db, principal, body, audit));
