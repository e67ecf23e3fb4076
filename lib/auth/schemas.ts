// Input schemas of lib/auth (API tokens), shared by the API operation and the profile form.
import { z } from 'zod';

export const TOKEN_SCOPES = ['read', 'write'] as const;

const expiryDaysSchema = z.number().int().min(1).max(365).nullable();

export const createApiTokenSchema = z.object({
  name: z.string().trim().min(1, 'Give the token a name').max(100),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1, 'Choose at least one scope').max(TOKEN_SCOPES.length).default(['read']),
  expiresInDays: expiryDaysSchema.default(90),
});
export type CreateApiTokenInput = z.input<typeof createApiTokenSchema>;

/** The profile form: expiry is a select whose "never" means no expiry. */
export const createApiTokenFormSchema = createApiTokenSchema.extend({
  expiresInDays: z
    .string()
    .max(10)
    .default('90')
    .transform((value) => (value === 'never' ? null : Number(value)))
    .pipe(expiryDaysSchema),
});
