import { handle } from '@/lib/api/handler';
import { cancelJob } from '@/lib/api/operations/vms-actions';
import * as jobs from '@/lib/jobs/admin';

export const dynamic = 'force-dynamic';

export const POST = handle(cancelJob, async ({ db, params, audit }) => jobs.cancelJob(db, params.jobId, audit));
