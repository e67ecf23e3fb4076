import { handle } from '@/lib/api/handler';
import { decideApprovals } from '@/lib/api/operations/approvals';
import * as approvals from '@/lib/approvals';

export const dynamic = 'force-dynamic';

export const POST = handle(decideApprovals, async ({ db, principal, body, audit }) => approvals.decideApprovals(db, principal, body, audit));
