// Readable text for a gated day-2 action (timeline, inbox, notifications, the VM page). Pure.
import type { VmActionPayload } from './schemas';

const gib = (mib: number | null | undefined) => (mib === null || mib === undefined ? '?' : `${Math.round((mib / 1024) * 10) / 10} GiB`);
const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : 'none');

export const ACTION_LABELS: Record<VmActionPayload['action'], string> = {
  start: 'Start',
  stop: 'Stop',
  reboot: 'Reboot',
  resize: 'Resize',
  delete: 'Delete',
  extend_lease: 'Extend lease',
};

/** Audit verb of an action: `vm.<verb>.<event>` (extend_lease → lease.extend, as the immediate extension). */
export const auditVerb = (action: VmActionPayload['action']) => (action === 'extend_lease' ? 'lease.extend' : action);

export function priceChange(p: VmActionPayload): string | null {
  if (!p.oldMonthly && !p.newMonthly) return null;
  const delta = p.costDelta !== null && p.costDelta !== undefined ? ` (${Number(p.costDelta) >= 0 ? '+' : ''}${p.costDelta})` : '';
  return `${p.oldMonthly ?? '?'} → ${p.newMonthly ?? '?'} ${p.currency ?? ''}/month${delta}`.replace(/ {2,}/g, ' ');
}

/** e.g. "resize web-1 from t3.small (2 vCPU, 4 GiB) to t3.xlarge (4 vCPU, 16 GiB), 15.18 → 60.74 USD/month (+45.56)". */
export function describeVmAction(p: VmActionPayload): string {
  if (p.action === 'resize') {
    const price = priceChange(p);
    return `resize ${p.vmName} from ${p.fromSize} (${p.fromVcpus ?? '?'} vCPU, ${gib(p.fromMemoryMiB)}) to ${p.size} (${p.toVcpus ?? '?'} vCPU, ${gib(p.toMemoryMiB)})${price ? `, ${price}` : ''}`;
  }
  if (p.action === 'extend_lease') {
    return `extend the lease of ${p.vmName} by ${p.days} days, from ${day(p.leaseFrom)} to ${day(p.leaseTo)}${p.leaseMaxDays ? ` (maximum ${p.leaseMaxDays} days from today)` : ''}`;
  }
  return `${p.action} ${p.vmName}`;
}
