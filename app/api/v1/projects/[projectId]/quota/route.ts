import { handle } from '@/lib/api/handler';
import { getProjectQuota, setProjectQuota } from '@/lib/api/operations/projects';
import * as projects from '@/lib/projects/service';

export const dynamic = 'force-dynamic';

export const GET = handle(getProjectQuota, async ({ db, principal, params }) => {
  return projects.getProjectQuotas(db, principal, params.projectId);
});

export const PUT = handle(setProjectQuota, async ({ db, principal, params, body, audit }) => {
  return projects.setProjectQuota(db, principal, params.projectId, body, audit);
});
