import { Badge, type BadgeTone } from '@/components/ui/Badge';
import type { RequestStatus, VmState } from '@/generated/prisma/enums';

const REQUEST_STATUS: Record<RequestStatus, { label: string; tone: BadgeTone }> = {
  draft: { label: 'Draft', tone: 'neutral' },
  pending_approval: { label: 'Pending approval', tone: 'warning' },
  approved: { label: 'Approved', tone: 'info' },
  rejected: { label: 'Rejected', tone: 'danger' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
  provisioning: { label: 'Provisioning', tone: 'info' },
  completed: { label: 'Completed', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
};

export function RequestStatusBadge({ status }: { status: RequestStatus }) {
  const { label, tone } = REQUEST_STATUS[status];
  return <Badge tone={tone}>{label}</Badge>;
}

const VM_STATE_TONE: Record<VmState, BadgeTone> = {
  pending: 'info',
  running: 'success',
  stopping: 'warning',
  stopped: 'neutral',
  deallocated: 'neutral',
  rebooting: 'warning',
  reconfiguring: 'warning',
  deleting: 'warning',
  deleted: 'neutral',
  error: 'danger',
  unknown: 'neutral',
};

export function VmStateBadge({ state }: { state: VmState }) {
  return <Badge tone={VM_STATE_TONE[state]}>{state.charAt(0).toUpperCase() + state.slice(1)}</Badge>;
}
