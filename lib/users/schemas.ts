// Input and view schemas for user administration; free of server imports so the API and the
// admin forms share them.
import { z } from 'zod';

export const ROLES = ['requester', 'approver', 'admin'] as const;
export type RoleName = (typeof ROLES)[number];
export const USER_STATUSES = ['active', 'disabled'] as const;
/** Mirrors lib/auth/password.ts MIN_PASSWORD_LENGTH (that module is server-only: argon2). */
export const MIN_PASSWORD_LENGTH_HINT = 8;

const emailSchema = z.string().trim().toLowerCase().max(254, 'The e-mail address is too long').email('Enter a valid e-mail address');
const nameSchema = z.string().trim().min(1, 'Name is required').max(100, 'Name can have at most 100 characters');
const rolesSchema = z
  .array(z.enum(ROLES, { message: 'Roles are requester, approver and admin' }))
  .min(1, 'Give the user at least one role')
  .max(ROLES.length, 'Give each role at most once')
  .transform((roles) => ROLES.filter((r) => roles.includes(r)));
export const passwordSchema = (min: number) =>
  z.string().min(min, `The password needs at least ${min} characters`).max(200, 'The password can have at most 200 characters');

export const createUserSchema = z.object({
  email: emailSchema,
  name: nameSchema,
  roles: rolesSchema.default(['requester']),
  password: passwordSchema(MIN_PASSWORD_LENGTH_HINT),
});
export type CreateUserInput = z.input<typeof createUserSchema>;

export const updateUserSchema = z.object({
  name: nameSchema.optional(),
  roles: rolesSchema.optional(),
  status: z.enum(USER_STATUSES, { message: 'Status is active or disabled' }).optional(),
});
export type UpdateUserInput = z.input<typeof updateUserSchema>;

export const resetPasswordSchema = z.object({ password: passwordSchema(MIN_PASSWORD_LENGTH_HINT) });
export type ResetPasswordInput = z.input<typeof resetPasswordSchema>;
/** The admin form asks twice. */
export const resetPasswordFormSchema = resetPasswordSchema
  .extend({ confirm: z.string().max(200) })
  .refine((value) => value.password === value.confirm, { path: ['confirm'], message: 'The two passwords differ.' });

export const listUsersQuerySchema = z.object({
  q: z.string().trim().max(100).optional(),
  role: z.enum(ROLES).optional(),
  status: z.enum(USER_STATUSES).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(25),
});
export type ListUsersQuery = z.input<typeof listUsersQuerySchema>;

export const userViewSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  roles: z.array(z.enum(ROLES)),
  status: z.enum(USER_STATUSES),
  lastLoginAt: z.string().nullable(),
  /** Locked out after repeated failed sign-ins, until lockedUntil. */
  locked: z.boolean(),
  lockedUntil: z.string().nullable(),
  failedLoginCount: z.number().int(),
  /** Signs in with a local password (false for OIDC-only users). */
  hasPassword: z.boolean(),
  /** Linked to an external OIDC identity. */
  sso: z.boolean(),
  projectCount: z.number().int(),
  createdAt: z.string(),
});
export type UserView = z.infer<typeof userViewSchema>;

export const userPageSchema = z.object({
  items: z.array(userViewSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export type UserPage = z.infer<typeof userPageSchema>;

export const userDetailSchema = userViewSchema.extend({
  memberships: z.array(z.object({ projectId: z.string(), key: z.string(), name: z.string(), role: z.enum(['member', 'approver', 'owner']) })),
});
export type UserDetail = z.infer<typeof userDetailSchema>;
