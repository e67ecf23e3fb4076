// Read-only inventory: the VMs a principal may see (admins all; others their projects' VMs), with
// filters by provider, region, state and project.
import { z } from 'zod';
import type { Prisma } from '@/generated/prisma/client';
import { ProviderKind, VmState } from '@/generated/prisma/enums';
import type { Principal } from '../auth/principal';
import { isAdmin, projectScope } from '../auth/permissions';
import type { Db } from '../db/client';

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

export const inventoryFilterSchema = z.object({
  provider: z.preprocess(blankToUndefined, z.enum(ProviderKind).optional()),
  region: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()),
  state: z.preprocess(blankToUndefined, z.enum(VmState).optional()),
  project: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()),
});

export type InventoryFilter = z.infer<typeof inventoryFilterSchema>;

/** Lenient parse for page query strings: an invalid value is dropped rather than failing the page. */
export function parseInventoryFilter(raw: Record<string, string | string[] | undefined>): InventoryFilter {
  const first = (key: string) => {
    const value = raw[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const out: InventoryFilter = {};
  for (const key of ['provider', 'region', 'state', 'project'] as const) {
    const parsed = inventoryFilterSchema.shape[key].safeParse(first(key));
    if (parsed.success && parsed.data !== undefined) Object.assign(out, { [key]: parsed.data });
  }
  return out;
}

export interface InventoryVm {
  id: string;
  name: string;
  providerKind: ProviderKind;
  accountName: string;
  regionCode: string;
  zone: string | null;
  size: string;
  vcpus: number | null;
  memoryMiB: number | null;
  state: VmState;
  owner: { name: string; email: string } | null;
  project: { id: string; key: string; name: string } | null;
  leaseExpiresAt: string | null;
  privateIp: string | null;
  publicIp: string | null;
}

export interface InventoryPage {
  vms: InventoryVm[];
  /** Total visible VMs before filtering, to tell "no VMs at all" from "no VMs match". */
  totalVisible: number;
  options: { providers: ProviderKind[]; regions: string[]; states: VmState[]; projects: { id: string; name: string }[] };
}

function visibleWhere(principal: Principal): Prisma.VmWhereInput {
  return { deletedAt: null, state: { not: 'deleted' }, ...projectScope(principal) };
}

export async function listInventory(db: Db, principal: Principal, filter: InventoryFilter = {}, options: { take?: number } = {}): Promise<InventoryPage> {
  const visible = visibleWhere(principal);
  const where: Prisma.VmWhereInput = {
    ...visible,
    ...(filter.provider ? { providerKind: filter.provider } : {}),
    ...(filter.region ? { regionCode: filter.region } : {}),
    ...(filter.state ? { state: filter.state } : {}),
  };
  if (filter.project) {
    // Never widen the scope: a non-member asking for another project's VMs just gets none.
    where.AND = [{ projectId: filter.project }];
  }
  const [rows, totalVisible, facets, projects] = await Promise.all([
    db.vm.findMany({
      where,
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      take: options.take ?? 500,
      include: {
        providerAccount: { select: { name: true } },
        owner: { select: { name: true, email: true } },
        project: { select: { id: true, key: true, name: true } },
      },
    }),
    db.vm.count({ where: visible }),
    db.vm.groupBy({ by: ['providerKind', 'regionCode', 'state'], where: visible }),
    db.project.findMany({
      where: isAdmin(principal) ? {} : { id: { in: Object.keys(principal.projects) } },
      orderBy: { name: 'asc' },
      select: { id: true, name: true },
    }),
  ]);
  const uniqueSorted = <T extends string>(values: T[]) => [...new Set(values)].sort();
  return {
    vms: rows.map((vm) => ({
      id: vm.id,
      name: vm.name,
      providerKind: vm.providerKind,
      accountName: vm.providerAccount.name,
      regionCode: vm.regionCode,
      zone: vm.zone,
      size: vm.size,
      vcpus: vm.vcpus,
      memoryMiB: vm.memoryMiB,
      state: vm.state,
      owner: vm.owner,
      project: vm.project,
      leaseExpiresAt: vm.leaseExpiresAt?.toISOString() ?? null,
      privateIp: vm.privateIp,
      publicIp: vm.publicIp,
    })),
    totalVisible,
    options: {
      providers: uniqueSorted(facets.map((f) => f.providerKind)),
      regions: uniqueSorted(facets.map((f) => f.regionCode)),
      states: uniqueSorted(facets.map((f) => f.state)),
      projects,
    },
  };
}
