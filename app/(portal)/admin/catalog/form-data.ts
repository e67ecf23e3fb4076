// What the template form offers to pick from: providers, known instance types (from the
// providers' size lists), enabled regions and projects.
import { PROVIDER_LABELS, PROVIDER_ORDER } from '@/lib/catalog/listing';
import { listInstanceTypes } from '@/lib/catalog/instance-types';
import type { Db } from '@/lib/db/client';

export async function templateFormOptions(db: Db) {
  const [instanceTypes, regions, projects] = await Promise.all([
    listInstanceTypes(db),
    db.region.findMany({ where: { enabled: true }, select: { code: true, name: true, providerAccount: { select: { kind: true } } }, orderBy: { code: 'asc' }, take: 1000 }),
    db.project.findMany({ where: { archivedAt: null }, select: { id: true, name: true }, orderBy: { name: 'asc' }, take: 1000 }),
  ]);
  const regionOptions = new Map<string, string>();
  for (const r of regions) regionOptions.set(`${r.providerAccount.kind}:${r.code}`, `${PROVIDER_LABELS[r.providerAccount.kind]} · ${r.code}`);
  return {
    providers: PROVIDER_ORDER.map((kind) => ({ kind, label: PROVIDER_LABELS[kind] })),
    instanceTypes: instanceTypes.map((t) => ({ providerKind: t.providerKind, name: t.name, vcpus: t.vcpus, memoryMiB: t.memoryMiB })),
    regions: [...regionOptions.entries()].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label)),
    projects,
  };
}
