import { handle } from '@/lib/api/handler';
import { decideApproval } from '@/lib/api/operations/approvals';
import * as approvals from '@/lib/approvals';

export const dynamic = 'force-dynamic';

export const POST = handle(decideApproval, async ({ db, principal, params, body, audit }) =>
  approvals.decideApproval(db, principal, params.approvalId, body, audit),
);
