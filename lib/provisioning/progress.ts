// Per-item provisioning progress for the request page and getRequest (contract 3).
import type { Tx } from '../jobs/types';

export interface ItemJobProgress {
  index: number;
  /** queued → creating → created, or retrying (with nextAttemptAt), failed, cancelled. */
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
}

export type ItemProgress = Record<string, { vmIds: string[]; jobs: ItemJobProgress[] }>;

function progressStatus(status: string, attempts: number): string {
  if (status === 'queued') return attempts > 0 ? 'retrying' : 'queued';
  if (status === 'running') return 'creating';
  if (status === 'succeeded') return 'created';
  return status;
}

function errorMessage(lastError: unknown): string | null {
  if (lastError && typeof lastError === 'object' && 'message' in lastError) return String((lastError as { message: unknown }).message);
  return null;
}

export async function itemProgress(db: Tx, itemIds: string[]): Promise<ItemProgress> {
  const out: ItemProgress = Object.fromEntries(itemIds.map((id) => [id, { vmIds: [], jobs: [] }]));
  if (!itemIds.length) return out;
  const [jobs, vms] = await Promise.all([
    db.provisioningJob.findMany({ where: { requestItemId: { in: itemIds }, kind: 'create_vm' }, orderBy: { createdAt: 'asc' } }),
    db.vm.findMany({ where: { requestItemId: { in: itemIds } }, select: { id: true, requestItemId: true }, orderBy: { createdAt: 'asc' } }),
  ]);
  for (const vm of vms) out[vm.requestItemId!]?.vmIds.push(vm.id);
  for (const job of jobs) {
    const index = Number((job.payload as { index?: unknown }).index ?? 0);
    out[job.requestItemId!]?.jobs.push({
      index,
      status: progressStatus(job.status, job.attempts),
      attempts: job.attempts,
      nextAttemptAt: job.status === 'queued' && job.attempts > 0 ? job.runAfter.toISOString() : null,
      lastError: errorMessage(job.lastError),
    });
  }
  for (const entry of Object.values(out)) entry.jobs.sort((a, b) => a.index - b.index);
  return out;
}
