// Provisioning's tasks for the app-wide registry (lib/jobs/registry.ts).
import { z } from 'zod';
import { jobDb, jobRuntime } from '../jobs/context';
import type { CronItem, Task } from '../jobs/types';
import { CREATE_VM_TASK } from './keys';
import { runCreateVmJob } from './provision';

const payloadSchema = z.object({
  provisioningJobId: z.string().min(1).max(64),
  // Set by the hand-off and the engine's own retries (ClaimData); jobs queued elsewhere have none.
  claim: z
    .object({
      requestId: z.string().min(1).max(64),
      itemId: z.string().min(1).max(64),
      index: z.number().int().min(0),
      vmKey: z.string().min(1).max(200),
      name: z.string().max(500),
      quantity: z.number().int().min(1),
      providerAccountId: z.string().min(1).max(64).optional(),
      regionCode: z.string().min(1).max(200).optional(),
    })
    .optional(),
});

const createVm: Task = async (payload, helpers) => {
  const { provisioningJobId, claim } = payloadSchema.parse(payload);
  const outcome = await runCreateVmJob(provisioningJobId, {
    claim,
    db: jobDb(),
    withConnection: helpers.withPgClient,
    runtime: jobRuntime(),
    workerId: helpers.job.locked_by ?? undefined,
  });
  helpers.logger.debug(`create_vm ${provisioningJobId}: ${outcome}`);
};

export const tasks: Record<string, Task> = { [CREATE_VM_TASK]: createVm };
export const cron: CronItem[] = [];
