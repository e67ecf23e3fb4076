import { handle } from '@/lib/api/handler';
import { addProjectMember, listProjectMembers } from '@/lib/api/operations/projects';
import * as projects from '@/lib/projects/service';

export const dynamic = 'force-dynamic';

export const GET = handle(listProjectMembers, async ({ db, principal, params }) => {
  return { items: await projects.listProjectMembers(db, principal, params.projectId) };
});

export const POST = handle(addProjectMember, async ({ db, principal, params, body, audit }) => {
  return projects.addProjectMember(db, principal, params.projectId, body, audit);
});
