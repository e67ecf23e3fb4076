// Lockout under concurrency (issue 10 defects 1 and 12): parallel wrong passwords cannot slip past
// the limit, and an unknown e-mail answers exactly like a real account.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/client';
import { createTestDatabase } from '../testing/db';
import { lockDurationMs, MAX_FREE_FAILURES, verifyCredentials } from './credentials';
import { hashPassword } from './password';

let db: Db;
beforeAll(async () => {
  ({ db } = await createTestDatabase());
});

describe('lockout is atomic', () => {
  it('50 parallel wrong passwords lock the account and at most 5 are evaluated; the right password is then refused', async () => {
    const user = await db.user.create({ data: { email: 'race@test.skyport', name: 'Race', passwordHash: await hashPassword('correct horse') } });
    const now = new Date('2026-03-01T00:00:00Z');
    const results = await Promise.all(
      Array.from({ length: 50 }, () => verifyCredentials(db, { email: 'race@test.skyport', password: 'wrong' }, now)),
    );
    expect(results.some((r) => r.ok)).toBe(false);
    expect(results.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(MAX_FREE_FAILURES - 1);
    expect(results.filter((r) => !r.ok && r.reason === 'locked')).toHaveLength(50 - (MAX_FREE_FAILURES - 1));

    const stored = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.failedLoginCount).toBe(MAX_FREE_FAILURES);
    expect(stored.lockedUntil?.getTime()).toBe(now.getTime() + lockDurationMs(MAX_FREE_FAILURES));
    // One audit row per evaluated attempt: exactly the limit, never more.
    const evaluated = await db.auditEvent.count({ where: { targetId: user.id, action: { in: ['auth.sign_in_failed', 'auth.locked_out'] } } });
    expect(evaluated).toBe(MAX_FREE_FAILURES);

    expect(await verifyCredentials(db, { email: 'race@test.skyport', password: 'correct horse' }, new Date(now.getTime() + 1000))).toMatchObject({
      ok: false,
      reason: 'locked',
    });
  });

  it('parallel attempts after the lock expires: one more is evaluated, then locked again for longer', async () => {
    await db.user.create({ data: { email: 'again@test.skyport', name: 'Again', passwordHash: await hashPassword('correct horse') } });
    const start = new Date('2026-03-02T00:00:00Z');
    for (let i = 0; i < MAX_FREE_FAILURES; i++) await verifyCredentials(db, { email: 'again@test.skyport', password: 'wrong' }, start);
    const later = new Date(start.getTime() + lockDurationMs(MAX_FREE_FAILURES) + 1000);
    const results = await Promise.all(Array.from({ length: 20 }, () => verifyCredentials(db, { email: 'again@test.skyport', password: 'wrong' }, later)));
    expect(results.every((r) => !r.ok && r.reason === 'locked')).toBe(true);
    const stored = await db.user.findUniqueOrThrow({ where: { email: 'again@test.skyport' } });
    expect(stored.failedLoginCount).toBe(MAX_FREE_FAILURES + 1);
    expect(stored.lockedUntil?.getTime()).toBe(later.getTime() + lockDurationMs(MAX_FREE_FAILURES + 1));
  });
});

describe('no enumeration through the lockout', () => {
  it('an unknown e-mail, a disabled account and a real account give the same answers in the same order', async () => {
    await db.user.create({ data: { email: 'real@test.skyport', name: 'Real', passwordHash: await hashPassword('correct horse') } });
    await db.user.create({ data: { email: 'gone@test.skyport', name: 'Gone', status: 'disabled', passwordHash: await hashPassword('correct horse') } });
    const now = new Date('2026-03-03T00:00:00Z');
    const sequence = async (email: string) => {
      const answers = [];
      for (let i = 0; i < MAX_FREE_FAILURES + 2; i++) answers.push(await verifyCredentials(db, { email, password: 'wrong' }, now));
      return answers;
    };
    const real = await sequence('real@test.skyport');
    expect(real.at(-1)).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: lockDurationMs(MAX_FREE_FAILURES) / 1000 });
    expect(await sequence('nobody@test.skyport')).toEqual(real);
    expect(await sequence('gone@test.skyport')).toEqual(real);
  });

  it('50 parallel attempts on an unknown e-mail lock it like a real account', async () => {
    const now = new Date('2026-03-04T00:00:00Z');
    const results = await Promise.all(Array.from({ length: 50 }, () => verifyCredentials(db, { email: 'ghost@test.skyport', password: 'x' }, now)));
    expect(results.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(MAX_FREE_FAILURES - 1);
    expect((await db.signInThrottle.findUniqueOrThrow({ where: { email: 'ghost@test.skyport' } })).failedLoginCount).toBe(MAX_FREE_FAILURES);
  });
});
