import { handle } from '@/lib/api/handler';
import { listVms } from '@/lib/api/operations/vms';
import * as inventory from '@/lib/inventory/list';

export const dynamic = 'force-dynamic';

export const GET = handle(listVms, async ({ db, principal, query }) => inventory.listVms(db, principal, query));
