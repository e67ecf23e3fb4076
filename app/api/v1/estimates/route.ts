import { handle } from '@/lib/api/handler';
import { estimatePlacements } from '@/lib/api/operations/requests';
import * as requests from '@/lib/requests/service';

export const dynamic = 'force-dynamic';

export const POST = handle(estimatePlacements, async ({ db, principal, body }) => requests.estimatePlacements(db, principal, body));
