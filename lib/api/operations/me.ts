// The caller: GET /api/v1/me. (Personal API tokens under /api/v1/me/tokens are in tokens.ts.)
import { currentUserSchema } from '@/lib/users/me';
import { AUTHENTICATED, defineOperation, type Operation } from '../operation';

export const getCurrentUser = defineOperation({
  operationId: 'getCurrentUser',
  method: 'GET',
  path: '/api/v1/me',
  summary: 'The caller: roles, projects, capabilities and the navigation items it may use',
  tag: 'Me',
  access: AUTHENTICATED,
  response: currentUserSchema,
});

export const operations: Operation[] = [getCurrentUser];
