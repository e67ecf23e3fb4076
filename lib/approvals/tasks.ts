// Jobs of the approvals area (contract 2): the timeout sweep, every five minutes.
import { db as defaultDb, type Db } from '../db/client';
import type { CronItem, Task, TaskList } from '../jobs/types';
import { processApprovalTimeouts } from './timeouts';

export const TIMEOUT_TASK = 'approvals.process_timeouts';

export function createApprovalTasks(getDb: () => Db = defaultDb): TaskList {
  const sweep: Task = async (_payload, helpers) => {
    const run = await processApprovalTimeouts(getDb());
    if (run.processed.length) helpers.logger.info(`${TIMEOUT_TASK}: ${run.processed.length} level(s) timed out`);
  };
  return { [TIMEOUT_TASK]: sweep };
}

export const tasks: TaskList = createApprovalTasks();
export const cron: CronItem[] = [{ task: TIMEOUT_TASK, match: '*/5 * * * *', identifier: TIMEOUT_TASK, options: { backfillPeriod: 0, maxAttempts: 3 } }];
