// VM day-2 and lease tasks for the app-wide registry (lib/jobs/registry.ts).
import { z } from 'zod';
import { jobDb, jobRuntime } from '../jobs/context';
import type { CronItem, Task } from '../jobs/types';
import { VM_ACTION_TASK } from './actions';
import { LEASE_SWEEP_TASK, runLeaseSweep } from './leases';
import { settleOrphanedActionRequests } from './action-approval';
import { runVmActionJob } from './run-action';

const payloadSchema = z.object({ provisioningJobId: z.string().min(1).max(64) });

const vmAction: Task = async (payload) => {
  const { provisioningJobId } = payloadSchema.parse(payload);
  await runVmActionJob(provisioningJobId, { db: jobDb(), runtime: jobRuntime() });
};

const leaseSweep: Task = async () => {
  await runLeaseSweep(jobDb());
  // Same minute cadence: approved day-2 requests whose job was cancelled on the jobs page end as failed.
  await settleOrphanedActionRequests(jobDb());
};

export const tasks: Record<string, Task> = { [VM_ACTION_TASK]: vmAction, [LEASE_SWEEP_TASK]: leaseSweep };
// Every minute; a missed minute is not back-filled (the next sweep catches up by itself).
export const cron: CronItem[] = [{ task: LEASE_SWEEP_TASK, match: '* * * * *', identifier: LEASE_SWEEP_TASK }];
