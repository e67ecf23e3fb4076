import { handle } from '@/lib/api/handler';
import { listApprovals } from '@/lib/api/operations/approvals';
import * as approvals from '@/lib/approvals';

export const dynamic = 'force-dynamic';

export const GET = handle(listApprovals, async ({ db, principal, query }) => approvals.listApprovals(db, principal, query));
