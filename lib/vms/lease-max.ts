// The effective maximum lease of a VM: the smaller of its template's and its project's maximum
// (days from today). Null = neither limits it.
import type { Vm } from '@/generated/prisma/client';
import type { Tx } from '../jobs/types';

export interface LeaseMax {
  days: number | null;
  /** Which limit is the effective one (for messages). */
  source: 'template' | 'project' | null;
}

export function smallerMax(template: number | null, project: number | null): LeaseMax {
  if (template === null && project === null) return { days: null, source: null };
  if (project === null || (template !== null && template <= project)) return { days: template, source: 'template' };
  return { days: project, source: 'project' };
}

export async function effectiveLeaseMax(db: Tx, vm: Pick<Vm, 'requestItemId' | 'projectId'>): Promise<LeaseMax> {
  const [item, project] = await Promise.all([
    vm.requestItemId
      ? db.requestItem.findUnique({ where: { id: vm.requestItemId }, select: { templateVersion: { select: { template: { select: { maxLeaseDays: true } } } } } })
      : null,
    vm.projectId ? db.project.findUnique({ where: { id: vm.projectId }, select: { maxLeaseDays: true } }) : null,
  ]);
  return smallerMax(item?.templateVersion.template.maxLeaseDays ?? null, project?.maxLeaseDays ?? null);
}
