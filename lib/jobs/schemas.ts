// One home for the admin jobs page / API schemas.
import { z } from 'zod';

export const JOB_VIEW_STATUSES = ['queued', 'running', 'retrying', 'failed', 'succeeded', 'cancelled'] as const;
export const JOB_KINDS = ['create_vm', 'start_vm', 'stop_vm', 'deallocate_vm', 'reboot_vm', 'resize_vm', 'delete_vm', 'sync_account'] as const;

export const jobFilterSchema = z.object({
  status: z.enum(JOB_VIEW_STATUSES).optional(),
  kind: z.enum(JOB_KINDS).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type JobFilter = z.infer<typeof jobFilterSchema>;

export const jobViewSchema = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.enum(JOB_VIEW_STATUSES),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  target: z.string(),
  vmId: z.string().nullable(),
  requestId: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type JobView = z.infer<typeof jobViewSchema>;

export const jobPageSchema = z.object({
  jobs: z.array(jobViewSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  counts: z.record(z.string(), z.number().int()),
  /** graphile-worker's own queue per task (e-mail, sync, … as well as ours). */
  queue: z.array(z.object({ task: z.string(), waiting: z.number().int(), running: z.number().int(), retrying: z.number().int(), failed: z.number().int(), lastError: z.string().nullable() })),
});
export type JobPage = z.infer<typeof jobPageSchema>;
