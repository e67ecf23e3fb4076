import { handle } from '@/lib/api/handler';
import { revokeApiToken } from '@/lib/api/operations/tokens';
import * as tokens from '@/lib/auth/api-tokens';

export const dynamic = 'force-dynamic';

export const DELETE = handle(revokeApiToken, async ({ db, principal, params, audit }) => {
  await tokens.revokeApiToken(db, principal.userId, params.tokenId, audit);
  return null;
});
