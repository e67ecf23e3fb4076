import { handle } from '@/lib/api/handler';
import { extendLease } from '@/lib/api/operations/vms-actions';
import * as leases from '@/lib/vms/leases';

export const dynamic = 'force-dynamic';

export const POST = handle(extendLease, async ({ db, principal, params, body, audit }) => leases.extendLease(db, principal, params.vmId, body.days, audit));
