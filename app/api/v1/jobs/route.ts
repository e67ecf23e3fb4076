import { handle } from '@/lib/api/handler';
import { listJobs } from '@/lib/api/operations/vms-actions';
import * as jobs from '@/lib/jobs/admin';

export const dynamic = 'force-dynamic';

export const GET = handle(listJobs, async ({ db, query }) => jobs.listJobs(db, query));
