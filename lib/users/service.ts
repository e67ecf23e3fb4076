// User administration: local accounts, roles, status, lockouts and password resets. Admin-only;
// every write records an audit row in the same transaction. Passwords are argon2id hashes and
// never appear in views or audit rows.
import type { Prisma } from '@/generated/prisma/client';
import { recordAudit, type AuditContext } from '../audit/record';
import { normalizeEmail } from '../auth/credentials';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/password';
import { assertCan } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import type { Db } from '../db/client';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { invalidField, isUniqueViolation, parseInput } from '../validation/input';
import {
  createUserSchema,
  listUsersQuerySchema,
  resetPasswordSchema,
  updateUserSchema,
  type CreateUserInput,
  type ListUsersQuery,
  type ResetPasswordInput,
  type UpdateUserInput,
  type UserDetail,
  type UserPage,
  type UserView,
} from './schemas';

const USER_SELECT = {
  id: true,
  email: true,
  name: true,
  roles: true,
  status: true,
  lastLoginAt: true,
  lockedUntil: true,
  failedLoginCount: true,
  passwordHash: true,
  oidcSubject: true,
  createdAt: true,
  _count: { select: { memberships: true } },
} as const satisfies Prisma.UserSelect;
type UserRow = Prisma.UserGetPayload<{ select: typeof USER_SELECT }>;

export function toUserView(u: UserRow, now: Date = new Date()): UserView {
  const locked = !!u.lockedUntil && u.lockedUntil > now;
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    roles: u.roles,
    status: u.status,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    locked,
    lockedUntil: locked ? u.lockedUntil!.toISOString() : null,
    failedLoginCount: u.failedLoginCount,
    hasPassword: u.passwordHash !== null,
    sso: u.oidcSubject !== null,
    projectCount: u._count.memberships,
    createdAt: u.createdAt.toISOString(),
  };
}

function auditView(u: { email: string; name: string; roles: string[]; status: string }) {
  return { email: u.email, name: u.name, roles: u.roles, status: u.status };
}

function checkPasswordLength(password: string) {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw invalidField('password', `The password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

export async function listUsers(db: Db, principal: Principal, query: ListUsersQuery = {}): Promise<UserPage> {
  assertCan(principal, 'admin:users');
  const { q, role, status, page, pageSize } = parseInput(listUsersQuerySchema, query, 'query');
  const where: Prisma.UserWhereInput = {
    ...(q ? { OR: [{ email: { contains: q, mode: 'insensitive' } }, { name: { contains: q, mode: 'insensitive' } }] } : {}),
    ...(role ? { roles: { has: role } } : {}),
    ...(status ? { status } : {}),
  };
  const [total, rows] = await Promise.all([
    db.user.count({ where }),
    db.user.findMany({ where, select: USER_SELECT, orderBy: [{ name: 'asc' }, { email: 'asc' }], skip: (page - 1) * pageSize, take: pageSize }),
  ]);
  const now = new Date();
  return { items: rows.map((u) => toUserView(u, now)), total, page, pageSize };
}

export async function getUser(db: Db, principal: Principal, userId: string): Promise<UserDetail> {
  assertCan(principal, 'admin:users');
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { ...USER_SELECT, memberships: { select: { role: true, project: { select: { id: true, key: true, name: true } } } } },
  });
  if (!user) throw new NotFoundError('User');
  return {
    ...toUserView(user),
    memberships: user.memberships
      .map((m) => ({ projectId: m.project.id, key: m.project.key, name: m.project.name, role: m.role }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export async function createUser(db: Db, principal: Principal, input: CreateUserInput, audit: AuditContext): Promise<UserDetail> {
  assertCan(principal, 'admin:users');
  const data = parseInput(createUserSchema, input);
  checkPasswordLength(data.password);
  const email = normalizeEmail(data.email);
  const conflict = () => new ConflictError(`A user with the e-mail ${email} already exists.`);
  if (await db.user.findUnique({ where: { email }, select: { id: true } })) throw conflict();
  const passwordHash = await hashPassword(data.password);
  let id: string;
  try {
    id = await db.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email, name: data.name, roles: data.roles, passwordHash } });
      await recordAudit(tx, audit, { action: 'user.create', targetType: 'user', targetId: user.id, after: auditView(user) });
      return user.id;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict();
    throw error;
  }
  return getUser(db, principal, id);
}

export async function updateUser(db: Db, principal: Principal, userId: string, input: UpdateUserInput, audit: AuditContext): Promise<UserDetail> {
  assertCan(principal, 'admin:users');
  const data = parseInput(updateUserSchema, input);
  const current = await db.user.findUnique({ where: { id: userId } });
  if (!current) throw new NotFoundError('User');
  if (userId === principal.userId) {
    const issues = [];
    if (data.roles && !data.roles.includes('admin') && current.roles.includes('admin')) {
      issues.push({ field: 'body/roles', message: 'You cannot remove your own admin role; ask another administrator.' });
    }
    if (data.status === 'disabled') {
      issues.push({ field: 'body/status', message: 'You cannot disable your own account; ask another administrator.' });
    }
    if (issues.length) throw new ValidationError(issues, issues.map((i) => i.message).join(' '));
  }
  const changes = {
    ...(data.name !== undefined && data.name !== current.name ? { name: data.name } : {}),
    ...(data.roles && data.roles.join() !== current.roles.join() ? { roles: data.roles } : {}),
    ...(data.status && data.status !== current.status ? { status: data.status } : {}),
  };
  if (Object.keys(changes).length) {
    await db.$transaction(async (tx) => {
      const updated = await tx.user.update({ where: { id: userId }, data: changes });
      const action = changes.status === 'disabled' ? 'user.disable' : changes.status === 'active' ? 'user.enable' : 'user.update';
      await recordAudit(tx, audit, { action, targetType: 'user', targetId: userId, before: auditView(current), after: auditView(updated) });
    });
  }
  return getUser(db, principal, userId);
}

/** Clear a sign-in lockout (failed-attempt counter and lock expiry). */
export async function unlockUser(db: Db, principal: Principal, userId: string, audit: AuditContext): Promise<UserDetail> {
  assertCan(principal, 'admin:users');
  const current = await db.user.findUnique({ where: { id: userId } });
  if (!current) throw new NotFoundError('User');
  if (current.failedLoginCount !== 0 || current.lockedUntil !== null) {
    await db.$transaction(async (tx) => {
      await tx.user.update({ where: { id: userId }, data: { failedLoginCount: 0, lockedUntil: null } });
      await recordAudit(tx, audit, {
        action: 'user.unlock',
        targetType: 'user',
        targetId: userId,
        before: { failedLoginCount: current.failedLoginCount, lockedUntil: current.lockedUntil },
        after: { failedLoginCount: 0, lockedUntil: null },
      });
    });
  }
  return getUser(db, principal, userId);
}

/** Set a new local password (also clears any lockout). The password is never logged. */
export async function resetUserPassword(db: Db, principal: Principal, userId: string, input: ResetPasswordInput, audit: AuditContext): Promise<UserDetail> {
  assertCan(principal, 'admin:users');
  const data = parseInput(resetPasswordSchema, input);
  checkPasswordLength(data.password);
  const current = await db.user.findUnique({ where: { id: userId }, select: { id: true } });
  if (!current) throw new NotFoundError('User');
  const passwordHash = await hashPassword(data.password);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash, failedLoginCount: 0, lockedUntil: null } });
    await recordAudit(tx, audit, { action: 'user.password_reset', targetType: 'user', targetId: userId });
  });
  return getUser(db, principal, userId);
}

export interface UserOption {
  id: string;
  name: string;
  email: string;
}

/** Active users for owner and member pickers in the project admin screens. */
export async function listUserOptions(db: Db, principal: Principal): Promise<UserOption[]> {
  assertCan(principal, 'admin:projects');
  return db.user.findMany({ where: { status: 'active' }, select: { id: true, name: true, email: true }, orderBy: [{ name: 'asc' }, { email: 'asc' }] });
}
