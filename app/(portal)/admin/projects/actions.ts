'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { authAction } from '@/lib/actions/safe-action';
import {
  addMemberFormSchema,
  createProjectSchema,
  setQuotaFormSchema,
  updateMemberSchema,
  updateProjectFormSchema,
  type SetQuotaInput,
} from '@/lib/projects/schemas';
import {
  addProjectMember,
  createProject,
  removeProjectMember,
  setProjectQuota,
  updateProject,
  updateProjectMember,
} from '@/lib/projects/service';
import type { FormState } from '@/lib/validation/form-state';
import { NO_FIELDS } from '@/lib/validation/input';

const detailPath = (projectId: string) => `/admin/projects/${projectId}`;

const createProjectForm = authAction(
  { capability: 'admin:projects', schema: createProjectSchema, conflictField: 'key' },
  async ({ input, principal, db, audit }) => {
    const created = await createProject(db, principal, input, audit);
    revalidatePath('/admin/projects');
    redirect(`${detailPath(created.id)}?created=1`);
  },
);
export async function createProjectAction(previous: FormState, form: FormData): Promise<FormState> {
  return createProjectForm(previous, form);
}

export async function updateProjectAction(projectId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:projects', schema: updateProjectFormSchema }, async ({ input, principal, db, audit }) => {
    await updateProject(db, principal, projectId, input, audit);
    revalidatePath(detailPath(projectId));
    revalidatePath('/admin/projects');
    return 'Project saved.';
  })(previous, form);
}

export async function setArchivedAction(projectId: string, archived: boolean, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:projects', schema: NO_FIELDS }, async ({ principal, db, audit }) => {
    await updateProject(db, principal, projectId, { archived }, audit);
    revalidatePath(detailPath(projectId));
    revalidatePath('/admin/projects');
    return archived ? 'Project archived. It no longer appears in lists or accepts new requests.' : 'Project restored.';
  })(previous, form);
}

export async function addMemberAction(projectId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:projects', schema: addMemberFormSchema, conflictField: 'userId' }, async ({ input, principal, db, audit }) => {
    const member = await addProjectMember(db, principal, projectId, { userId: input.userId || undefined, role: input.role }, audit);
    revalidatePath(detailPath(projectId));
    return `${member.name} added as ${member.role}.`;
  })(previous, form);
}

export async function updateMemberAction(projectId: string, userId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:projects', schema: updateMemberSchema }, async ({ input, principal, db, audit }) => {
    const member = await updateProjectMember(db, principal, projectId, userId, input, audit);
    revalidatePath(detailPath(projectId));
    return `${member.name} is now ${member.role}.`;
  })(previous, form);
}

export async function removeMemberAction(projectId: string, userId: string, previous: FormState, form: FormData): Promise<FormState> {
  return authAction({ capability: 'admin:projects', schema: NO_FIELDS }, async ({ principal, db, audit }) => {
    await removeProjectMember(db, principal, projectId, userId, audit);
    revalidatePath(detailPath(projectId));
    return 'Member removed.';
  })(previous, form);
}

export async function setQuotaAction(projectId: string, previous: FormState, form: FormData): Promise<FormState> {
  const state = await authAction({ capability: 'admin:projects', schema: setQuotaFormSchema }, async ({ input, principal, db, audit }) => {
    await setProjectQuota(
      db,
      principal,
      projectId,
      {
        providerKind: (input.providerKind || null) as SetQuotaInput['providerKind'],
        maxInstances: input.maxInstances,
        maxVcpus: input.maxVcpus,
        maxMemoryMiB: input.maxMemoryGiB === null ? null : Math.round(input.maxMemoryGiB * 1024),
        maxDiskGiB: input.maxDiskGiB,
      },
      audit,
    );
    revalidatePath(detailPath(projectId));
    return `Quota${input.providerKind ? ` for ${input.providerKind}` : ''} saved.`;
  })(previous, form);
  // The service names maxMemoryMiB; the form's input is maxMemoryGiB.
  if (state && !state.ok && state.errors.maxMemoryMiB) state.errors.maxMemoryGiB ??= state.errors.maxMemoryMiB.replace('Max memory', 'Max memory (GiB)');
  return state;
}
