// Provisioning's tasks for the app-wide registry (lib/jobs/registry.ts).
import { z } from 'zod';
import { jobDb, jobRuntime } from '../jobs/context';
import type { CronItem, Task } from '../jobs/types';
import { CREATE_VM_TASK } from './keys';
import { runCreateVmJob } from './provision';

const payloadSchema = z.object({ provisioningJobId: z.string().min(1).max(64) });

const createVm: Task = async (payload, helpers) => {
  const { provisioningJobId } = payloadSchema.parse(payload);
  const outcome = await runCreateVmJob(provisioningJobId, {
    db: jobDb(),
    withConnection: helpers.withPgClient,
    runtime: jobRuntime(),
    workerId: helpers.job.locked_by ?? undefined,
  });
  helpers.logger.debug(`create_vm ${provisioningJobId}: ${outcome}`);
};

export const tasks: Record<string, Task> = { [CREATE_VM_TASK]: createVm };
export const cron: CronItem[] = [];
