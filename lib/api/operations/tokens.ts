// Personal API tokens of the signed-in user (GET/POST /api/v1/me/tokens, DELETE …/{tokenId}).
import { z } from 'zod';
import { createApiTokenSchema, TOKEN_SCOPES } from '../../auth/api-tokens';
import { capability, defineOperation, type Operation } from '../operation';

export const apiTokenViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** First characters of the token, to tell tokens apart. */
  prefix: z.string(),
  scopes: z.array(z.string()),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
});

export const listApiTokens = defineOperation({
  operationId: 'listApiTokens',
  method: 'GET',
  path: '/api/v1/me/tokens',
  summary: 'List your personal API tokens (never the token values)',
  tag: 'API tokens',
  access: capability('token:manage-own'),
  response: z.object({ tokens: z.array(apiTokenViewSchema) }),
});

export const createApiToken = defineOperation({
  operationId: 'createApiToken',
  method: 'POST',
  path: '/api/v1/me/tokens',
  summary: 'Create a personal API token; the token is in this response only',
  description: `Scopes: ${TOKEN_SCOPES.join(', ')}. "read" allows read-only operations; "write" allows everything your roles allow. expiresInDays null means no expiry.`,
  tag: 'API tokens',
  access: capability('token:manage-own'),
  body: createApiTokenSchema,
  response: z.object({
    /** The secret token; shown once, store it now. */
    token: z.string(),
    record: apiTokenViewSchema,
  }),
  successStatus: 201,
});

export const revokeApiToken = defineOperation({
  operationId: 'revokeApiToken',
  method: 'DELETE',
  path: '/api/v1/me/tokens/{tokenId}',
  summary: 'Revoke one of your API tokens (idempotent)',
  tag: 'API tokens',
  access: capability('token:manage-own'),
  params: z.object({ tokenId: z.string().min(1).max(100) }),
  response: z.null(),
  successStatus: 204,
});

export const operations: Operation[] = [listApiTokens, createApiToken, revokeApiToken];
