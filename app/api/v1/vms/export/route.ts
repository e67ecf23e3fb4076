import { handle } from '@/lib/api/handler';
import { exportVms } from '@/lib/api/operations/vms';
import { exportResponse } from '@/lib/inventory/export';

export const dynamic = 'force-dynamic';

export const GET = handle(exportVms, async ({ db, principal, query, requestId }) => exportResponse(db, principal, query, query.sort, requestId));
