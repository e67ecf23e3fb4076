'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { actorOf, auditContext } from '@/lib/audit/record';
import type { Principal } from '@/lib/auth/principal';
import { db } from '@/lib/db/client';
import {
  addProjectMember,
  createProject,
  removeProjectMember,
  setProjectQuota,
  updateProject,
  updateProjectMember,
} from '@/lib/projects/service';
import type { ProjectRoleName, SetQuotaInput } from '@/lib/projects/schemas';
import { formFailure, formNumberOrNull, formText, type FormState } from '@/lib/validation/form-state';
import { requirePrincipal } from '../../../_lib/session';

const audit = (principal: Principal) => auditContext(actorOf(principal));
const detailPath = (projectId: string) => `/admin/projects/${projectId}`;

export async function createProjectAction(_previous: FormState, form: FormData): Promise<FormState> {
  const principal = await requirePrincipal('admin:projects');
  let id: string;
  try {
    const created = await createProject(
      db(),
      principal,
      {
        key: formText(form, 'key'),
        name: formText(form, 'name'),
        description: formText(form, 'description'),
        costCentre: formText(form, 'costCentre'),
        ownerId: formText(form, 'ownerId'),
      },
      audit(principal),
    );
    id = created.id;
  } catch (error) {
    return formFailure(error, 'key', form);
  }
  revalidatePath('/admin/projects');
  redirect(`${detailPath(id)}?created=1`);
}

export async function updateProjectAction(projectId: string, _previous: FormState, form: FormData): Promise<FormState> {
  const principal = await requirePrincipal('admin:projects');
  try {
    await updateProject(
      db(),
      principal,
      projectId,
      {
        name: formText(form, 'name'),
        description: formText(form, 'description'),
        costCentre: formText(form, 'costCentre'),
        ownerId: formText(form, 'ownerId'),
      },
      audit(principal),
    );
  } catch (error) {
    return formFailure(error, undefined, form);
  }
  revalidatePath(detailPath(projectId));
  revalidatePath('/admin/projects');
  return { ok: true, message: 'Project saved.' };
}

export async function setArchivedAction(projectId: string, archived: boolean, _previous: FormState, _form: FormData): Promise<FormState> {
  const principal = await requirePrincipal('admin:projects');
  try {
    await updateProject(db(), principal, projectId, { archived }, audit(principal));
  } catch (error) {
    return formFailure(error);
  }
  revalidatePath(detailPath(projectId));
  revalidatePath('/admin/projects');
  return { ok: true, message: archived ? 'Project archived. It no longer appears in lists or accepts new requests.' : 'Project restored.' };
}

export async function addMemberAction(projectId: string, _previous: FormState, form: FormData): Promise<FormState> {
  const principal = await requirePrincipal('admin:projects');
  try {
    const member = await addProjectMember(
      db(),
      principal,
      projectId,
      { userId: formText(form, 'userId') || undefined, role: formText(form, 'role') as ProjectRoleName },
      audit(principal),
    );
    revalidatePath(detailPath(projectId));
    return { ok: true, message: `${member.name} added as ${member.role}.` };
  } catch (error) {
    return formFailure(error, 'userId', form);
  }
}

export async function updateMemberAction(projectId: string, userId: string, _previous: FormState, form: FormData): Promise<FormState> {
  const principal = await requirePrincipal('admin:projects');
  try {
    const member = await updateProjectMember(db(), principal, projectId, userId, { role: formText(form, 'role') as ProjectRoleName }, audit(principal));
    revalidatePath(detailPath(projectId));
    return { ok: true, message: `${member.name} is now ${member.role}.` };
  } catch (error) {
    return formFailure(error, undefined, form);
  }
}

export async function removeMemberAction(projectId: string, userId: string, _previous: FormState, _form: FormData): Promise<FormState> {
  const principal = await requirePrincipal('admin:projects');
  try {
    await removeProjectMember(db(), principal, projectId, userId, audit(principal));
  } catch (error) {
    return formFailure(error);
  }
  revalidatePath(detailPath(projectId));
  return { ok: true, message: 'Member removed.' };
}

export async function setQuotaAction(projectId: string, _previous: FormState, form: FormData): Promise<FormState> {
  const principal = await requirePrincipal('admin:projects');
  const providerKind = formText(form, 'providerKind');
  try {
    await setProjectQuota(
      db(),
      principal,
      projectId,
      {
        providerKind: (providerKind || null) as SetQuotaInput['providerKind'],
        maxInstances: formNumberOrNull(form, 'maxInstances'),
        maxVcpus: formNumberOrNull(form, 'maxVcpus'),
        maxMemoryMiB: formNumberOrNull(form, 'maxMemoryGiB') === null ? null : Math.round(Number(formText(form, 'maxMemoryGiB')) * 1024),
        maxDiskGiB: formNumberOrNull(form, 'maxDiskGiB'),
      },
      audit(principal),
    );
  } catch (error) {
    const state = formFailure(error, undefined, form);
    if (state && !state.ok && state.errors.maxMemoryMiB) state.errors.maxMemoryGiB = state.errors.maxMemoryMiB.replace('Max memory', 'Max memory (GiB)');
    return state;
  }
  revalidatePath(detailPath(projectId));
  return { ok: true, message: `Quota${providerKind ? ` for ${providerKind}` : ''} saved.` };
}
