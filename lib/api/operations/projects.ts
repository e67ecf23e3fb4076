// Projects, members and quotas. Reads are open to any member of the project (admins see all);
// project writes and quotas need admin:projects; members are managed by admins and project owners.
import { z } from 'zod';
import {
  addMemberSchema,
  createProjectSchema,
  listProjectsQuerySchema,
  memberViewSchema,
  projectDetailSchema,
  projectQuotasSchema,
  projectViewSchema,
  setQuotaSchema,
  updateMemberSchema,
  updateProjectSchema,
} from '@/lib/projects/schemas';
import { capability, defineOperation, type Operation } from '../operation';

const TAG = 'Projects';
const projectParams = z.object({ projectId: z.string().min(1).max(100).describe('Project id') });
const memberParams = projectParams.extend({ userId: z.string().min(1).max(100).describe('User id of the member') });

export const listProjects = defineOperation({
  operationId: 'listProjects',
  method: 'GET',
  path: '/api/v1/projects',
  summary: 'List the projects the caller can see (admins: all) with owner, member count and quota summary',
  tag: TAG,
  access: capability('request:read-own'),
  query: listProjectsQuerySchema,
  response: z.object({ items: z.array(projectViewSchema) }),
});

export const createProject = defineOperation({
  operationId: 'createProject',
  method: 'POST',
  path: '/api/v1/projects',
  summary: 'Create a project; its owner becomes a member with the owner role',
  tag: TAG,
  access: capability('admin:projects'),
  body: createProjectSchema,
  exampleBody: { key: 'mobile-app', name: 'Mobile app', description: 'iOS and Android backends.', costCentre: 'CC-3003', ownerId: '<user id>' },
  response: projectDetailSchema,
  successStatus: 201,
});

export const getProject = defineOperation({
  operationId: 'getProject',
  method: 'GET',
  path: '/api/v1/projects/{projectId}',
  summary: 'One project with its quotas and current usage (members and admins only)',
  tag: TAG,
  access: capability('request:read-own'),
  projectScoped: true,
  params: projectParams,
  response: projectDetailSchema,
});

export const updateProject = defineOperation({
  operationId: 'updateProject',
  method: 'PATCH',
  path: '/api/v1/projects/{projectId}',
  summary: 'Change name, description, cost centre, owner or maximum lease (maxLeaseDays); archive (archived: true) or restore',
  description: 'The key is stable and cannot change. A new owner becomes a member with the owner role.',
  tag: TAG,
  access: capability('admin:projects'),
  projectScoped: true,
  params: projectParams,
  body: updateProjectSchema,
  exampleBody: { name: 'Web shop', costCentre: 'CC-1001' },
  response: projectDetailSchema,
});

export const listProjectMembers = defineOperation({
  operationId: 'listProjectMembers',
  method: 'GET',
  path: '/api/v1/projects/{projectId}/members',
  summary: "The project's members and their project roles",
  tag: TAG,
  access: capability('request:read-own'),
  projectScoped: true,
  params: projectParams,
  response: z.object({ items: z.array(memberViewSchema) }),
});

export const addProjectMember = defineOperation({
  operationId: 'addProjectMember',
  method: 'POST',
  path: '/api/v1/projects/{projectId}/members',
  summary: 'Add a user (by userId or email) to the project (admins and project owners)',
  tag: TAG,
  access: capability('project:manage-members'),
  projectScoped: true,
  params: projectParams,
  body: addMemberSchema,
  exampleBody: { email: 'requester@demo.skyport', role: 'member' },
  response: memberViewSchema,
  successStatus: 201,
});

export const updateProjectMember = defineOperation({
  operationId: 'updateProjectMember',
  method: 'PATCH',
  path: '/api/v1/projects/{projectId}/members/{userId}',
  summary: "Change a member's project role (admins and project owners)",
  tag: TAG,
  access: capability('project:manage-members'),
  projectScoped: true,
  params: memberParams,
  body: updateMemberSchema,
  exampleBody: { role: 'approver' },
  response: memberViewSchema,
});

export const removeProjectMember = defineOperation({
  operationId: 'removeProjectMember',
  method: 'DELETE',
  path: '/api/v1/projects/{projectId}/members/{userId}',
  summary: 'Remove a member (not the project owner; admins and project owners)',
  tag: TAG,
  access: capability('project:manage-members'),
  projectScoped: true,
  params: memberParams,
  response: z.null(),
  successStatus: 204,
});

export const getProjectQuota = defineOperation({
  operationId: 'getProjectQuota',
  method: 'GET',
  path: '/api/v1/projects/{projectId}/quota',
  summary: "The project's quotas (all providers, and per provider kind) with current usage",
  tag: TAG,
  access: capability('request:read-own'),
  projectScoped: true,
  params: projectParams,
  response: projectQuotasSchema,
});

export const setProjectQuota = defineOperation({
  operationId: 'setProjectQuota',
  method: 'PUT',
  path: '/api/v1/projects/{projectId}/quota',
  summary: 'Set the all-providers quota (providerKind null) or one provider kind’s quota',
  description: 'Limits left null are unlimited; a quota whose limits are all null is removed.',
  tag: TAG,
  access: capability('admin:projects'),
  projectScoped: true,
  params: projectParams,
  body: setQuotaSchema,
  exampleBody: { providerKind: null, maxInstances: 20, maxVcpus: 64, maxMemoryMiB: 262144, maxDiskGiB: 4096 },
  response: projectQuotasSchema,
});

export const operations: Operation[] = [
  listProjects,
  createProject,
  getProject,
  updateProject,
  listProjectMembers,
  addProjectMember,
  updateProjectMember,
  removeProjectMember,
  getProjectQuota,
  setProjectQuota,
];
