// What the provider-account admin forms post besides the provider-specific connection fields
// (those come from each provider's own zod schemas, see form-fields.ts). The service validates again.
import { z } from 'zod';
import { PROVIDER_KINDS } from '@/providers/types';

export const accountFormSchema = z.object({
  name: z.string().max(100).default(''),
  description: z.string().max(500).default(''),
  enabled: z.boolean(),
});
export const createAccountFormSchema = accountFormSchema.extend({
  kind: z.enum(PROVIDER_KINDS, { message: 'Choose a provider kind.' }),
});
export const regionsFormSchema = z.object({ regions: z.array(z.string().max(100)).max(500, 'At most 500 regions') });
