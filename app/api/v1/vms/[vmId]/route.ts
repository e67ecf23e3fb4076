import { handle } from '@/lib/api/handler';
import { getVm } from '@/lib/api/operations/vms';
import * as vms from '@/lib/inventory/vm';

export const dynamic = 'force-dynamic';

export const GET = handle(getVm, async ({ db, principal, params }) => vms.getVm(db, principal, params.vmId));
