// The job types every area codes against (contract 2). A Task is graphile-worker's task function;
// areas never import graphile-worker themselves, so the queue library stays one import away.
import type { CronItem as GraphileCronItem, JobHelpers, Task as GraphileTask } from 'graphile-worker';
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';

export type Task = GraphileTask;
export type CronItem = GraphileCronItem;
export type TaskHelpers = JobHelpers;
export type TaskList = Record<string, Task>;

/** A Prisma transaction or the client itself: enqueueing joins whichever the caller holds. */
export type Tx = Prisma.TransactionClient | Db;

export interface EnqueueOptions {
  /** Dedupe key: a second enqueue with the same key replaces the waiting job instead of adding one. */
  jobKey?: string;
  runAt?: Date;
  maxAttempts?: number;
  priority?: number;
  /** Jobs in one named queue run one at a time. */
  queueName?: string;
}
