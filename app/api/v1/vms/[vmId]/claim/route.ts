import { handle } from '@/lib/api/handler';
import { claimVm } from '@/lib/api/operations/vms';
import * as vms from '@/lib/inventory/vm';

export const dynamic = 'force-dynamic';

// Provider failures propagate as ProviderError; handle() turns them into problem+json.
export const POST = handle(claimVm, async ({ db, principal, params, body, audit }) => vms.claimVm(db, principal, params.vmId, body, audit));
