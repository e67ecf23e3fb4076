// Links cost rows to inventory VMs (by ResourceId) and to projects (the VM's project, else a tag
// mapping such as project=<project key> or cost-center=<cost centre>). Loaded once per import.
import type { Db } from '../db/client';

export interface LinkTarget {
  vmId: string | null;
  projectId: string | null;
  providerAccountId: string | null;
}

export interface TagMapping {
  tag: string;
  field: 'key' | 'costCentre';
}

/** Cloud resource ids differ in form (ARM ids, ARNs, bare ids, case); try each plausible form. */
export function resourceKeys(resourceId: string): string[] {
  const lower = resourceId.trim().toLowerCase();
  const last = lower.split(/[/:]/).filter(Boolean).pop() ?? lower;
  return last === lower ? [lower] : [lower, last];
}

export class Linker {
  private constructor(
    private readonly vms: Map<string, { id: string; projectId: string | null; providerAccountId: string }>,
    private readonly projectsByField: { tag: string; values: Map<string, string> }[],
  ) {}

  static async load(db: Db, tagMapping: TagMapping[]): Promise<Linker> {
    const [vms, projects] = await Promise.all([
      db.vm.findMany({ select: { id: true, providerId: true, projectId: true, providerAccountId: true } }),
      db.project.findMany({ select: { id: true, key: true, costCentre: true } }),
    ]);
    const byResource = new Map<string, { id: string; projectId: string | null; providerAccountId: string }>();
    for (const vm of vms) {
      for (const key of resourceKeys(vm.providerId)) {
        if (!byResource.has(key)) byResource.set(key, { id: vm.id, projectId: vm.projectId, providerAccountId: vm.providerAccountId });
      }
    }
    const projectsByField = tagMapping.map(({ tag, field }) => {
      const values = new Map<string, string>();
      for (const p of projects) {
        const value = field === 'key' ? p.key : p.costCentre;
        if (value) values.set(value.trim().toLowerCase(), p.id);
      }
      return { tag: tag.toLowerCase(), values };
    });
    return new Linker(byResource, projectsByField);
  }

  link(resourceId: string | null, tags: Record<string, string>): LinkTarget {
    if (resourceId) {
      for (const key of resourceKeys(resourceId)) {
        const vm = this.vms.get(key);
        if (vm) return { vmId: vm.id, projectId: vm.projectId ?? this.byTags(tags), providerAccountId: vm.providerAccountId };
      }
    }
    return { vmId: null, projectId: this.byTags(tags), providerAccountId: null };
  }

  private byTags(tags: Record<string, string>): string | null {
    if (!this.projectsByField.length) return null;
    const lowered = new Map(Object.entries(tags).map(([k, v]) => [k.trim().toLowerCase(), v.trim().toLowerCase()]));
    for (const { tag, values } of this.projectsByField) {
      const value = lowered.get(tag);
      const id = value ? values.get(value) : undefined;
      if (id) return id;
    }
    return null;
  }
}
