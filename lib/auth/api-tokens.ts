// Personal API tokens: "skp_" + 32 random bytes. Only a SHA-256 of the token is stored (a fast
// hash is right here: the token is high-entropy, unlike a password), shown once at creation.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/client';
import type { AuditContext } from '../audit/record';
import { recordAudit } from '../audit/record';
import { NotFoundError } from '../errors';
import { parseInput } from '../validation/input';
import { createApiTokenSchema, type CreateApiTokenInput } from './schemas';

export { createApiTokenSchema, TOKEN_SCOPES, type CreateApiTokenInput } from './schemas';

export const TOKEN_PREFIX = 'skp_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createApiToken(db: Db, userId: string, input: CreateApiTokenInput, context: AuditContext) {
  const data = parseInput(createApiTokenSchema, input);
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const expiresAt = data.expiresInDays ? new Date(Date.now() + data.expiresInDays * 86_400_000) : null;
  const record = await db.$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: { userId, name: data.name, prefix: token.slice(0, 12), tokenHash: hashToken(token), scopes: data.scopes, expiresAt },
    });
    await recordAudit(tx, context, {
      action: 'api_token.create',
      targetType: 'api_token',
      targetId: created.id,
      after: { name: created.name, scopes: created.scopes, expiresAt },
    });
    return created;
  });
  return { token, record: toApiTokenView(record) };
}

export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

export function toApiTokenView(t: {
  id: string; name: string; prefix: string; scopes: string[];
  expiresAt: Date | null; revokedAt: Date | null; lastUsedAt: Date | null; createdAt: Date;
}): ApiTokenView {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scopes: t.scopes,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
  };
}

export async function listApiTokens(db: Db, userId: string): Promise<ApiTokenView[]> {
  const tokens = await db.apiToken.findMany({ where: { userId }, orderBy: { createdAt: 'desc' } });
  return tokens.map(toApiTokenView);
}

export async function revokeApiToken(db: Db, userId: string, tokenId: string, context: AuditContext): Promise<void> {
  await db.$transaction(async (tx) => {
    const token = await tx.apiToken.findFirst({ where: { id: tokenId, userId } });
    if (!token) throw new NotFoundError('API token');
    if (token.revokedAt) return;
    await tx.apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } });
    await recordAudit(tx, context, { action: 'api_token.revoke', targetType: 'api_token', targetId: tokenId });
  });
}

/** The token's owner and scopes, or null if unknown, revoked or expired. */
export async function resolveApiToken(db: Db, token: string, now = new Date()) {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const record = await db.apiToken.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!record || record.revokedAt || (record.expiresAt && record.expiresAt <= now)) return null;
  // Coarse last-used stamp: at most one write per token per minute.
  if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() > 60_000) {
    await db.apiToken.update({ where: { id: record.id }, data: { lastUsedAt: now } });
  }
  return { id: record.id, userId: record.userId, scopes: record.scopes };
}
