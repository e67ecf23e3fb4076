// exportVms: every VM matching the filters as CSV with a header row, streamed page by page (keyset,
// 2,000 rows per query) so memory stays flat whatever the size of the inventory.
import type { Principal } from '../auth/principal';
import type { Db } from '../db/client';
import { iterateVms } from './list';
import type { SortValue, VmFilter, VmListItem } from './schemas';

const COLUMNS: { header: string; value: (vm: VmListItem) => string | number | null }[] = [
  { header: 'id', value: (vm) => vm.id },
  { header: 'name', value: (vm) => vm.name },
  { header: 'provider', value: (vm) => vm.providerKind },
  { header: 'account', value: (vm) => vm.accountName },
  { header: 'region', value: (vm) => vm.regionCode },
  { header: 'zone', value: (vm) => vm.zone },
  { header: 'provider_id', value: (vm) => vm.providerId },
  { header: 'size', value: (vm) => vm.size },
  { header: 'vcpus', value: (vm) => vm.vcpus },
  { header: 'memory_mib', value: (vm) => vm.memoryMiB },
  { header: 'state', value: (vm) => vm.state },
  { header: 'managed', value: (vm) => String(vm.managed) },
  { header: 'drift', value: (vm) => vm.driftReasons.join(' ') },
  { header: 'project', value: (vm) => vm.project?.key ?? null },
  { header: 'owner', value: (vm) => vm.owner?.email ?? null },
  { header: 'lease_expires_at', value: (vm) => vm.leaseExpiresAt },
  { header: 'private_ip', value: (vm) => vm.privateIp },
  { header: 'public_ip', value: (vm) => vm.publicIp },
  { header: 'monthly_cost', value: (vm) => vm.monthlyCost?.amount ?? null },
  { header: 'currency', value: (vm) => vm.monthlyCost?.currency ?? null },
  { header: 'monthly_cost_source', value: (vm) => vm.monthlyCostSource },
];

/** RFC 4180 quoting; a leading = + - @ is prefixed with ' so spreadsheets never run a cell as a formula. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_HEADER = `${COLUMNS.map((c) => c.header).join(',')}\r\n`;

export function csvStream(db: Db, principal: Principal, filter: VmFilter, sort: SortValue): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pages = iterateVms(db, principal, filter, sort);
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(CSV_HEADER));
        return;
      }
      const next = await pages.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(next.value.map((vm) => `${COLUMNS.map((c) => csvCell(c.value(vm))).join(',')}\r\n`).join('')));
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
}

export function exportResponse(db: Db, principal: Principal, filter: VmFilter, sort: SortValue, requestId: string): Response {
  const day = new Date().toISOString().slice(0, 10);
  return new Response(csvStream(db, principal, filter, sort), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="skyport-vms-${day}.csv"`,
      'cache-control': 'no-store',
      'x-request-id': requestId,
    },
  });
}
