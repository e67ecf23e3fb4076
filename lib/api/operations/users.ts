// User administration (admin:users): local accounts, roles, status, lockouts, password resets.
import { z } from 'zod';
import {
  createUserSchema,
  listUsersQuerySchema,
  resetPasswordSchema,
  updateUserSchema,
  userDetailSchema,
  userPageSchema,
} from '@/lib/users/schemas';
import { capability, defineOperation, type Operation } from '../operation';

const TAG = 'Users';
const userParams = z.object({ userId: z.string().min(1).max(100).describe('User id') });

export const listUsers = defineOperation({
  operationId: 'listUsers',
  method: 'GET',
  path: '/api/v1/users',
  summary: 'List users with roles, status, last sign-in and lockout state; search by e-mail or name',
  tag: TAG,
  access: capability('admin:users'),
  query: listUsersQuerySchema,
  response: userPageSchema,
});

export const createUser = defineOperation({
  operationId: 'createUser',
  method: 'POST',
  path: '/api/v1/users',
  summary: 'Create a local user with an initial password',
  tag: TAG,
  access: capability('admin:users'),
  body: createUserSchema,
  exampleBody: { email: 'new.user@example.com', name: 'New User', roles: ['requester'], password: 'change-me-please' },
  response: userDetailSchema,
  successStatus: 201,
});

export const getUser = defineOperation({
  operationId: 'getUser',
  method: 'GET',
  path: '/api/v1/users/{userId}',
  summary: 'One user with their project memberships',
  tag: TAG,
  access: capability('admin:users'),
  params: userParams,
  response: userDetailSchema,
});

export const updateUser = defineOperation({
  operationId: 'updateUser',
  method: 'PATCH',
  path: '/api/v1/users/{userId}',
  summary: "Change a user's name, roles or status",
  description: 'Administrators cannot remove their own admin role or disable themselves.',
  tag: TAG,
  access: capability('admin:users'),
  params: userParams,
  body: updateUserSchema,
  exampleBody: { roles: ['requester', 'approver'] },
  response: userDetailSchema,
});

export const unlockUser = defineOperation({
  operationId: 'unlockUser',
  method: 'POST',
  path: '/api/v1/users/{userId}/unlock',
  summary: 'Clear a sign-in lockout (failed-attempt counter and lock expiry)',
  tag: TAG,
  access: capability('admin:users'),
  params: userParams,
  response: userDetailSchema,
});

export const resetUserPassword = defineOperation({
  operationId: 'resetUserPassword',
  method: 'POST',
  path: '/api/v1/users/{userId}/password',
  summary: "Set a new local password for a user (also clears a lockout)",
  tag: TAG,
  access: capability('admin:users'),
  params: userParams,
  body: resetPasswordSchema,
  exampleBody: { password: 'a-new-long-password' },
  response: userDetailSchema,
});

export const operations: Operation[] = [listUsers, createUser, getUser, updateUser, unlockUser, resetUserPassword];
