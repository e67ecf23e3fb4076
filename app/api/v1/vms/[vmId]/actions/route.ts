import '@/providers/all';
import { handle } from '@/lib/api/handler';
import { getVmActions, runVmAction } from '@/lib/api/operations/vms-actions';
import * as actions from '@/lib/vms/actions';

export const dynamic = 'force-dynamic';

export const GET = handle(getVmActions, async ({ db, principal, params }) => actions.getVmActions(db, principal, params.vmId));

export const POST = handle(runVmAction, async ({ db, principal, params, body, audit }) => actions.runVmAction(db, principal, params.vmId, body, audit));
