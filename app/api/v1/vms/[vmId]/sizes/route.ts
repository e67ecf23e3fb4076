import '@/providers/all';
import { handle } from '@/lib/api/handler';
import { listVmResizeOptions } from '@/lib/api/operations/vms-actions';
import { resizeOptions } from '@/lib/vms/actions';

export const dynamic = 'force-dynamic';

export const GET = handle(listVmResizeOptions, async ({ db, principal, params }) => ({ sizes: await resizeOptions(db, principal, params.vmId) }));
