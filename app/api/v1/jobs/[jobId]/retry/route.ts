import { handle } from '@/lib/api/handler';
import { retryJob } from '@/lib/api/operations/vms-actions';
import * as jobs from '@/lib/jobs/admin';

export const dynamic = 'force-dynamic';

export const POST = handle(retryJob, async ({ db, params, audit }) => jobs.retryJob(db, params.jobId, audit));
