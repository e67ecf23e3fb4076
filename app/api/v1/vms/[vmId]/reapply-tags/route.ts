import { handle } from '@/lib/api/handler';
import { reapplyVmTags } from '@/lib/api/operations/vms';
import * as vms from '@/lib/inventory/vm';

export const dynamic = 'force-dynamic';

export const POST = handle(reapplyVmTags, async ({ db, principal, params, audit }) => vms.reapplyVmTags(db, principal, params.vmId, audit));
