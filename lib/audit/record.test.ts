// The audit table is append-only at the database level (UPDATE, DELETE and TRUNCATE refused by
// triggers), and services write their audit row in the same transaction as the change: proven with
// PostgreSQL's xmin (the id of the transaction that wrote a row version), and by a rollback.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, revokeApiToken } from '../auth/api-tokens';
import { loadPrincipal, type Principal } from '../auth/principal';
import type { Db } from '../db/client';
import { createProject } from '../projects/service';
import { createTestDatabase } from '../testing/db';
import { unlockUser } from '../users/service';
import { auditContext, recordAudit, SYSTEM_ACTOR } from './record';

let db: Db;
let admin: Principal;
beforeAll(async () => {
  ({ db } = await createTestDatabase());
  const user = await db.user.create({ data: { email: 'audit-admin@test.skyport', name: 'Audit admin', roles: ['admin'] } });
  admin = (await loadPrincipal(db, user.id, 'session'))!;
});

const xminOf = async (table: string, where: string, value: string) =>
  (await db.$queryRawUnsafe<{ xmin: string }[]>(`SELECT xmin::text AS xmin FROM "${table}" WHERE "${where}" = $1`, value))[0]?.xmin;
const auditXmins = async (targetId: string, action: string) =>
  (await db.$queryRawUnsafe<{ xmin: string }[]>(`SELECT xmin::text AS xmin FROM "AuditEvent" WHERE "targetId" = $1 AND "action" = $2`, targetId, action)).map((r) => r.xmin);

describe('append-only', () => {
  it('UPDATE, DELETE and TRUNCATE of AuditEvent are refused by the database', async () => {
    await recordAudit(db, auditContext(SYSTEM_ACTOR), { action: 'test.append_only', targetType: 'test', targetId: 'x' });
    expect(await db.auditEvent.count({ where: { action: 'test.append_only' } })).toBe(1);
    await expect(db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "action" = 'tampered'`)).rejects.toThrow();
    await expect(db.$executeRawUnsafe(`DELETE FROM "AuditEvent"`)).rejects.toThrow();
    await expect(db.$executeRawUnsafe(`TRUNCATE "AuditEvent"`)).rejects.toThrow();
    await expect(db.$executeRawUnsafe(`TRUNCATE "AuditEvent" CASCADE`)).rejects.toThrow();
    expect(await db.auditEvent.count({ where: { action: 'test.append_only' } })).toBe(1);
  });
});

describe('written in the same transaction as the change', () => {
  it('creating a project: the project row and its audit row come from one transaction', async () => {
    const project = await createProject(db, admin, { key: 'same-tx', name: 'Same tx', costCentre: 'CC', ownerId: admin.userId }, auditContext(SYSTEM_ACTOR));
    const xmin = await xminOf('Project', 'id', project.id);
    expect(xmin).toBeTruthy();
    expect(await auditXmins(project.id, 'project.create')).toEqual([xmin]);
  });

  it('an update (unlock) and an API token create/revoke: each change and its audit row share a transaction', async () => {
    const locked = await db.user.create({ data: { email: 'locked@test.skyport', name: 'Locked', failedLoginCount: 7, lockedUntil: new Date(Date.now() + 60_000) } });
    await unlockUser(db, admin, locked.id, auditContext(SYSTEM_ACTOR));
    const unlockAudit = await db.auditEvent.findFirstOrThrow({ where: { targetId: locked.id }, orderBy: { id: 'desc' } });
    expect(await auditXmins(locked.id, unlockAudit.action)).toEqual([await xminOf('User', 'id', locked.id)]);

    const { record } = await createApiToken(db, admin.userId, { name: 'tx', scopes: ['read'] }, auditContext(SYSTEM_ACTOR));
    const createdXmin = await xminOf('ApiToken', 'id', record.id);
    const tokenAudits = await db.auditEvent.findMany({ where: { targetId: record.id }, orderBy: { id: 'asc' } });
    expect(tokenAudits).toHaveLength(1);
    expect(await auditXmins(record.id, tokenAudits[0]!.action)).toEqual([createdXmin]);
    await revokeApiToken(db, admin.userId, record.id, auditContext(SYSTEM_ACTOR));
    const revokeAudit = await db.auditEvent.findFirstOrThrow({ where: { targetId: record.id }, orderBy: { id: 'desc' } });
    expect(revokeAudit.id).not.toBe(tokenAudits[0]!.id);
    expect(await auditXmins(record.id, revokeAudit.action)).toEqual([await xminOf('ApiToken', 'id', record.id)]);
  });

  it('a rolled-back transaction leaves neither the change nor its audit row', async () => {
    await expect(
      db.$transaction(async (tx) => {
        await tx.project.create({ data: { key: 'rolled-back', name: 'Rolled back', costCentre: 'CC', ownerId: admin.userId } });
        await recordAudit(tx, auditContext(SYSTEM_ACTOR), { action: 'project.create', targetType: 'project', targetId: 'rolled-back' });
        throw new Error('abort after both writes');
      }),
    ).rejects.toThrow('abort after both writes');
    expect(await db.project.findUnique({ where: { key: 'rolled-back' } })).toBeNull();
    expect(await db.auditEvent.count({ where: { targetId: 'rolled-back' } })).toBe(0);
  });
});

describe('context recorded', () => {
  it('stores actor, request id and IP as given, and redacts secrets in before/after', async () => {
    await recordAudit(db, auditContext({ type: 'user', id: admin.userId, label: admin.email }, 'req-ctx-1', '203.0.113.9'), {
      action: 'test.context',
      targetType: 'test',
      targetId: 'ctx',
      after: { name: 'n', password: 'hunter2', nested: { clientSecret: 's' } },
    });
    const row = await db.auditEvent.findFirstOrThrow({ where: { action: 'test.context' } });
    expect(row).toMatchObject({ actorType: 'user', actorId: admin.userId, actorLabel: admin.email, requestId: 'req-ctx-1', ip: '203.0.113.9' });
    expect(JSON.stringify(row.after)).not.toContain('hunter2');
    expect(row.after).toEqual({ name: 'n', password: '[redacted]', nested: { clientSecret: '[redacted]' } });
  });
});
