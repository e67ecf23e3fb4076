// Local-account sign-in with lockout: after MAX_FREE_FAILURES consecutive failures the account
// is locked for an exponentially growing period (30 s, 1 min, 2 min … capped at 15 min). The lock
// is per account, survives restarts (it lives in the database) and is shared by all web processes.
//
// Race safety: an attempt first *claims* a slot with one conditional UPDATE … RETURNING (count + 1,
// and the lock set when that count reaches the limit, only while not locked), and only a claimed
// attempt has its password checked. Parallel attempts therefore serialise on the row: at most
// MAX_FREE_FAILURES are evaluated before the lock, however many arrive at once. A correct password
// resets the count. E-mails that are not an active local account (unknown, disabled, OIDC-only)
// run the same claim on SignInThrottle, so their answers — "invalid" then "locked" — are the same
// as a real account's and the lockout message reveals nothing.
import { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';
import { auditContext, recordAudit } from '../audit/record';
import { burnPasswordCheck, verifyPassword } from './password';

export const MAX_FREE_FAILURES = 5;
const BASE_LOCK_MS = 30_000;
const MAX_LOCK_MS = 15 * 60_000;

export function lockDurationMs(failures: number): number {
  if (failures < MAX_FREE_FAILURES) return 0;
  return Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** Math.min(failures - MAX_FREE_FAILURES, 10));
}

export type CredentialsResult =
  | { ok: true; userId: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

interface Claim {
  failedLoginCount: number;
  lockedUntil: Date | null;
}

/** `now` as a UTC timestamp(3) literal (Prisma stores DateTime as timestamp without time zone, in UTC). */
const utc = (now: Date) => Prisma.sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/** SQL for the lock that count `n` earns (the same formula as lockDurationMs). */
const lockFor = (n: Prisma.Sql, now: Date) => Prisma.sql`CASE WHEN ${n} >= ${MAX_FREE_FAILURES}
  THEN ${utc(now)} + make_interval(secs => LEAST(${MAX_LOCK_MS / 1000}, ${BASE_LOCK_MS / 1000} * power(2, LEAST(${n} - ${MAX_FREE_FAILURES}, 10))))
  ELSE NULL END`;

async function claimUserAttempt(db: Db, userId: string, now: Date): Promise<Claim | null> {
  const rows = await db.$queryRaw<Claim[]>`
    UPDATE "User" SET "failedLoginCount" = "failedLoginCount" + 1, "lockedUntil" = ${lockFor(Prisma.sql`"failedLoginCount" + 1`, now)}
    WHERE "id" = ${userId} AND ("lockedUntil" IS NULL OR "lockedUntil" <= ${utc(now)})
    RETURNING "failedLoginCount", "lockedUntil"`;
  return rows[0] ?? null;
}

async function claimThrottleAttempt(db: Db, email: string, now: Date): Promise<Claim | null> {
  const rows = await db.$queryRaw<Claim[]>`
    INSERT INTO "SignInThrottle" ("email", "failedLoginCount", "lockedUntil", "updatedAt")
    VALUES (${email}, 1, ${lockFor(Prisma.sql`1`, now)}, ${utc(now)})
    ON CONFLICT ("email") DO UPDATE SET
      "failedLoginCount" = "SignInThrottle"."failedLoginCount" + 1,
      "lockedUntil" = ${lockFor(Prisma.sql`"SignInThrottle"."failedLoginCount" + 1`, now)},
      "updatedAt" = ${utc(now)}
    WHERE "SignInThrottle"."lockedUntil" IS NULL OR "SignInThrottle"."lockedUntil" <= ${utc(now)}
    RETURNING "failedLoginCount", "lockedUntil"`;
  return rows[0] ?? null;
}

const retryAfter = (lockedUntil: Date | null | undefined, now: Date) =>
  Math.max(1, Math.ceil(((lockedUntil?.getTime() ?? now.getTime()) - now.getTime()) / 1000));

/** The answer for a failed claimed attempt: locked when this attempt reached the limit. */
const failed = (claim: Claim, now: Date): CredentialsResult =>
  claim.lockedUntil && claim.lockedUntil > now ? { ok: false, reason: 'locked', retryAfterSeconds: retryAfter(claim.lockedUntil, now) } : { ok: false, reason: 'invalid' };

export async function verifyCredentials(
  db: Db,
  input: { email: string; password: string; ip?: string },
  now: Date = new Date(),
): Promise<CredentialsResult> {
  const email = normalizeEmail(input.email);
  const user = await db.user.findUnique({ where: { email } });
  if (!user || !user.passwordHash || user.status !== 'active') {
    const claim = await claimThrottleAttempt(db, email, now);
    if (!claim) {
      const row = await db.signInThrottle.findUnique({ where: { email }, select: { lockedUntil: true } });
      return { ok: false, reason: 'locked', retryAfterSeconds: retryAfter(row?.lockedUntil, now) };
    }
    // The same argon2 cost as a real (claimed) check, so timing does not tell the cases apart either.
    await burnPasswordCheck(input.password);
    return failed(claim, now);
  }
  const claim = await claimUserAttempt(db, user.id, now);
  if (!claim) {
    const row = await db.user.findUnique({ where: { id: user.id }, select: { lockedUntil: true } });
    return { ok: false, reason: 'locked', retryAfterSeconds: retryAfter(row?.lockedUntil, now) };
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
  const lockMs = lockDurationMs(claim.failedLoginCount);
  // The claim above already counted this failure; the audit row records its outcome.
  await recordAudit(db, context, {
    action: lockMs ? 'auth.locked_out' : 'auth.sign_in_failed',
    targetType: 'user',
    targetId: user.id,
    after: { failures: claim.failedLoginCount, lockedForSeconds: lockMs / 1000 },
  });
  return failed(claim, now);
}
