import { handle } from '@/lib/api/handler';
import { createApiToken, listApiTokens } from '@/lib/api/operations/tokens';
import * as tokens from '@/lib/auth/api-tokens';

export const dynamic = 'force-dynamic';

export const GET = handle(listApiTokens, async ({ db, principal }) => ({ tokens: await tokens.listApiTokens(db, principal.userId) }));

export const POST = handle(createApiToken, async ({ db, principal, body, audit }) => tokens.createApiToken(db, principal.userId, body, audit));
