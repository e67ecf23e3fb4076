import { handle } from '@/lib/api/handler';
import { retryRequestItem } from '@/lib/api/operations/vms-actions';
import * as retry from '@/lib/provisioning/retry-item';

export const dynamic = 'force-dynamic';

export const POST = handle(retryRequestItem, async ({ db, principal, params, audit }) =>
  retry.retryRequestItem(db, params.requestId, params.itemId, audit, principal),
);
