// Quota arithmetic. Committed usage = the project's live VMs (not deleted) + the VMs of its
// in-flight requests (pending_approval, approved, provisioning) that do not exist yet. A request
// is checked against the all-providers Quota row and the row of its provider kind.
import type { ProviderKind } from '@/generated/prisma/enums';
import { PROVIDER_LABELS } from '../catalog/listing';
import type { Tx } from './timeline';

export interface Usage { instances: number; vcpus: number; memoryMiB: number; diskGiB: number }
export interface QuotaLimits {
  providerKind: ProviderKind | null;
  maxInstances: number | null;
  maxVcpus: number | null;
  maxMemoryMiB: number | null;
  maxDiskGiB: number | null;
}
export interface ProjectUsage { total: Usage; byKind: Partial<Record<ProviderKind, Usage>> }
export type QuotaResource = 'instances' | 'vcpus' | 'memoryMiB' | 'diskGiB';
export interface QuotaLine {
  name: string;
  scope: 'all' | ProviderKind;
  resource: QuotaResource;
  limit: number;
  used: number;
  requested: number;
  after: number;
  remaining: number;
  exceeded: boolean;
}
export interface QuotaCheck { lines: QuotaLine[]; exceeded: { name: string; limit: number; after: number }[] }
export interface QuotaDemand { providerKind: ProviderKind; count: number; vcpusPerVm: number; memoryMiBPerVm: number; diskGiBPerVm: number }

export const ZERO_USAGE: Usage = { instances: 0, vcpus: 0, memoryMiB: 0, diskGiB: 0 };

const RESOURCES: { resource: QuotaResource; limit: keyof QuotaLimits; label: string }[] = [
  { resource: 'instances', limit: 'maxInstances', label: 'VMs' },
  { resource: 'vcpus', limit: 'maxVcpus', label: 'vCPU' },
  { resource: 'memoryMiB', limit: 'maxMemoryMiB', label: 'RAM (MiB)' },
  { resource: 'diskGiB', limit: 'maxDiskGiB', label: 'Disk (GiB)' },
];

export function addUsage(a: Usage, b: Usage): Usage {
  return { instances: a.instances + b.instances, vcpus: a.vcpus + b.vcpus, memoryMiB: a.memoryMiB + b.memoryMiB, diskGiB: a.diskGiB + b.diskGiB };
}

export function demandUsage(d: QuotaDemand): Usage {
  return { instances: d.count, vcpus: d.count * d.vcpusPerVm, memoryMiB: d.count * d.memoryMiBPerVm, diskGiB: d.count * d.diskGiBPerVm };
}

/** Pure: every limited resource of the applicable quota rows, with usage before and after the demand. */
export function checkQuota(quotas: readonly QuotaLimits[], usage: ProjectUsage, demand: QuotaDemand): QuotaCheck {
  return checkQuotaUsage(quotas, usage, demand.providerKind, demandUsage(demand));
}

/** Pure: like checkQuota for any added usage (e.g. a resize adds vCPU/RAM but no VM). */
export function checkQuotaUsage(quotas: readonly QuotaLimits[], usage: ProjectUsage, providerKind: ProviderKind, requested: Usage): QuotaCheck {
  const lines: QuotaLine[] = [];
  const applicable = quotas
    .filter((q) => q.providerKind === null || q.providerKind === providerKind)
    .sort((a, b) => (a.providerKind === null ? -1 : 0) - (b.providerKind === null ? -1 : 0));
  for (const quota of applicable) {
    const scope = quota.providerKind ?? 'all';
    const used = quota.providerKind ? (usage.byKind[quota.providerKind] ?? ZERO_USAGE) : usage.total;
    for (const r of RESOURCES) {
      const limit = quota[r.limit] as number | null;
      if (limit === null || limit === undefined) continue;
      const after = used[r.resource] + requested[r.resource];
      lines.push({
        name: `${r.label} (${quota.providerKind ? PROVIDER_LABELS[quota.providerKind] : 'all providers'})`,
        scope,
        resource: r.resource,
        limit,
        used: used[r.resource],
        requested: requested[r.resource],
        after,
        remaining: limit - after,
        exceeded: after > limit,
      });
    }
  }
  return { lines, exceeded: lines.filter((l) => l.exceeded).map((l) => ({ name: l.name, limit: l.limit, after: l.after })) };
}

interface UsageRow { kind: ProviderKind; instances: bigint | number; vcpus: bigint | number | null; memory: bigint | number | null; disk: bigint | number | null }

const n = (v: bigint | number | null | undefined) => Number(v ?? 0);

/**
 * Committed usage of a project per provider kind: live VMs plus in-flight requests' VMs that do not
 * exist yet (quantity minus the VMs already linked to the item). `excludeRequestId` leaves out one
 * request (a draft being submitted is not in flight anyway; used when re-checking a request).
 */
export async function loadProjectUsage(db: Tx, projectId: string, options: { excludeRequestId?: string } = {}): Promise<ProjectUsage> {
  const exclude = options.excludeRequestId ?? '';
  const rows = await db.$queryRaw<UsageRow[]>`
    SELECT kind, sum(instances)::bigint AS instances, sum(vcpus)::bigint AS vcpus, sum(memory)::bigint AS memory, sum(disk)::bigint AS disk FROM (
      SELECT v."providerKind"::text AS kind, count(*) AS instances, sum(coalesce(v.vcpus, 0)) AS vcpus,
             sum(coalesce(v."memoryMiB", 0)) AS memory, sum(coalesce(v."diskGiB", 0)) AS disk
        FROM "Vm" v
       WHERE v."projectId" = ${projectId} AND v."deletedAt" IS NULL AND v.state NOT IN ('deleted', 'deleting')
       GROUP BY 1
      UNION ALL
      SELECT pa.kind::text, sum(o.missing), sum(o.missing * i.vcpus), sum(o.missing * i."memoryMiB"), sum(o.missing * i."diskGiB")
        FROM "RequestItem" i
        JOIN "Request" r ON r.id = i."requestId"
        JOIN "ProviderAccount" pa ON pa.id = i."providerAccountId"
        LEFT JOIN (SELECT "requestItemId", count(*) AS made FROM "Vm" WHERE "projectId" = ${projectId} AND "requestItemId" IS NOT NULL GROUP BY 1) m
          ON m."requestItemId" = i.id
        CROSS JOIN LATERAL (SELECT greatest(i.quantity - coalesce(m.made, 0), 0) AS missing) o
       WHERE r."projectId" = ${projectId} AND r.id <> ${exclude}
         AND r.status IN ('pending_approval', 'approved', 'provisioning')
         AND i.status IN ('pending', 'provisioning', 'failed')
       GROUP BY 1
      UNION ALL
      -- Resizes waiting for approval or their job: the vCPU/RAM they add (engine-gate, lib/vms/gate.ts).
      SELECT v."providerKind"::text, 0, sum(greatest(coalesce((r.payload->>'vcpusDelta')::int, 0), 0)),
             sum(greatest(coalesce((r.payload->>'memoryMiBDelta')::int, 0), 0)), 0
        FROM "Request" r JOIN "Vm" v ON v.id = r."vmId"
       WHERE r."projectId" = ${projectId} AND r.id <> ${exclude} AND r.kind = 'vm_action'
         AND r.status IN ('pending_approval', 'approved', 'provisioning') AND r.payload->>'action' = 'resize'
       GROUP BY 1
    ) u GROUP BY kind`;
  const byKind: Partial<Record<ProviderKind, Usage>> = {};
  let total = ZERO_USAGE;
  for (const row of rows) {
    const usage = { instances: n(row.instances), vcpus: n(row.vcpus), memoryMiB: n(row.memory), diskGiB: n(row.disk) };
    byKind[row.kind] = usage;
    total = addUsage(total, usage);
  }
  return { total, byKind };
}

export async function loadQuotaLimits(db: Tx, projectId: string): Promise<QuotaLimits[]> {
  return db.quota.findMany({
    where: { projectId },
    select: { providerKind: true, maxInstances: true, maxVcpus: true, maxMemoryMiB: true, maxDiskGiB: true },
  });
}

/** "VMs (all providers): 25 after this request, limit 20" — the 409's message. */
export function describeExceeded(exceeded: QuotaCheck['exceeded']): string {
  return exceeded.map((e) => `${e.name}: ${e.after} after this request, limit ${e.limit}`).join('; ');
}
