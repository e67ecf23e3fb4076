// Local-account sign-in with lockout: after MAX_FREE_FAILURES consecutive failures the account
// is locked for an exponentially growing period (30 s, 1 min, 2 min … capped at 15 min). The lock
// is per account, survives restarts (it lives in the database) and is shared by all web processes.
import type { Db } from '../db/client';
import { auditContext, recordAudit } from '../audit/record';
import { burnPasswordCheck, verifyPassword } from './password';

export const MAX_FREE_FAILURES = 5;
const BASE_LOCK_MS = 30_000;
const MAX_LOCK_MS = 15 * 60_000;

export function lockDurationMs(failures: number): number {
  if (failures < MAX_FREE_FAILURES) return 0;
  return Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** (failures - MAX_FREE_FAILURES));
}

export type CredentialsResult =
  | { ok: true; userId: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function verifyCredentials(
  db: Db,
  input: { email: string; password: string; ip?: string },
  now: Date = new Date(),
): Promise<CredentialsResult> {
  const email = normalizeEmail(input.email);
  const user = await db.user.findUnique({ where: { email } });
  if (!user || !user.passwordHash || user.status !== 'active') {
    await burnPasswordCheck(input.password);
    return { ok: false, reason: 'invalid' };
  }
  if (user.lockedUntil && user.lockedUntil > now) {
    return { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil((user.lockedUntil.getTime() - now.getTime()) / 1000) };
  }
  const context = auditContext({ type: 'user', id: user.id, label: user.email }, undefined, input.ip);
  if (await verifyPassword(user.passwordHash, input.password)) {
    await db.$transaction(async (tx) => {
      await tx.user.update({
        where: { id: user.id },
        data: { failedLoginCount: 0, lockedUntil: null, lastLoginAt: now },
      });
      await recordAudit(tx, context, { action: 'auth.sign_in', targetType: 'user', targetId: user.id, after: { method: 'credentials' } });
    });
    return { ok: true, userId: user.id };
  }
  const failures = user.failedLoginCount + 1;
  const lockMs = lockDurationMs(failures);
  await db.$transaction(async (tx) => {
    await tx.user.update({
      where: { id: user.id },
      data: { failedLoginCount: failures, lockedUntil: lockMs ? new Date(now.getTime() + lockMs) : null },
    });
    await recordAudit(tx, context, {
      action: lockMs ? 'auth.locked_out' : 'auth.sign_in_failed',
      targetType: 'user',
      targetId: user.id,
      after: { failures, lockedForSeconds: lockMs / 1000 },
    });
  });
  return lockMs ? { ok: false, reason: 'locked', retryAfterSeconds: lockMs / 1000 } : { ok: false, reason: 'invalid' };
}
