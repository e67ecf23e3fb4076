// One home for the engine's VM action schemas (API and forms).
import { z } from 'zod';

export const VM_ACTIONS = ['start', 'stop', 'reboot', 'resize', 'delete'] as const;
export type VmAction = (typeof VM_ACTIONS)[number];

export const runVmActionSchema = z
  .object({
    action: z.enum(VM_ACTIONS),
    size: z.string().trim().min(1).max(100).optional(),
  })
  .refine((v) => v.action !== 'resize' || !!v.size, { message: 'Resize needs the new size.', path: ['size'] });
export type RunVmActionInput = z.infer<typeof runVmActionSchema>;

export const extendLeaseSchema = z.object({ days: z.number().int().min(1).max(365) });

export const availableActionSchema = z.object({
  action: z.enum(VM_ACTIONS),
  enabled: z.boolean(),
  reason: z.string().optional(),
});
export type AvailableAction = z.infer<typeof availableActionSchema>;

export const resizeOptionSchema = z.object({
  size: z.string(),
  vcpus: z.number().int(),
  memoryMiB: z.number().int(),
  /** Monthly price from the price book (decimal string), null when the book has no rate for it. */
  monthlyPrice: z.string().nullable(),
  currency: z.string().nullable(),
  current: z.boolean(),
});
export type ResizeOption = z.infer<typeof resizeOptionSchema>;

export const vmActionsViewSchema = z.object({
  vmId: z.string(),
  state: z.string(),
  actions: z.array(availableActionSchema),
  pendingAction: z
    .object({ jobId: z.string(), action: z.string(), status: z.string(), attempts: z.number().int(), lastError: z.string().nullable() })
    .nullable(),
  lastAction: z
    .object({ jobId: z.string(), action: z.string(), status: z.string(), finishedAt: z.string().nullable(), lastError: z.string().nullable() })
    .nullable(),
  lease: z.object({ expiresAt: z.string().nullable(), maxDays: z.number().int().nullable() }),
});
export type VmActionsView = z.infer<typeof vmActionsViewSchema>;
