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

/** Day-2 actions a policy can gate: the VM actions and lease extension (lib/policy GATED_VM_ACTIONS). */
export const GATED_ACTIONS = [...VM_ACTIONS, 'extend_lease'] as const;
export type GatedAction = (typeof GATED_ACTIONS)[number];

/**
 * What a vm_action request (Request.kind = vm_action) asks for, stored as Request.payload: the VM,
 * old → new size and price, the lease change, and once approved the job that carries it out.
 */
export const vmActionPayloadSchema = z.object({
  action: z.enum(GATED_ACTIONS),
  vmName: z.string().max(300),
  size: z.string().max(100).optional(),
  fromSize: z.string().max(100).optional(),
  fromVcpus: z.number().int().nullable().optional(),
  toVcpus: z.number().int().nullable().optional(),
  fromMemoryMiB: z.number().int().nullable().optional(),
  toMemoryMiB: z.number().int().nullable().optional(),
  /** Positive parts count against the project's quota while the request is in flight (lib/requests/quota.ts). */
  vcpusDelta: z.number().int().optional(),
  memoryMiBDelta: z.number().int().optional(),
  /** Monthly prices (decimal strings) before and after, and new − old; null when the price book has no rate. */
  oldMonthly: z.string().max(40).nullable().optional(),
  newMonthly: z.string().max(40).nullable().optional(),
  costDelta: z.string().max(40).nullable().optional(),
  currency: z.string().max(10).nullable().optional(),
  days: z.number().int().optional(),
  leaseFrom: z.string().max(40).nullable().optional(),
  leaseTo: z.string().max(40).optional(),
  leaseMaxDays: z.number().int().nullable().optional(),
  jobId: z.string().max(100).optional(),
});
export type VmActionPayload = z.infer<typeof vmActionPayloadSchema>;

/** 202 answer of runVmAction: a job id when it runs now; otherwise the approval it waits for. */
export const runVmActionResultSchema = z.object({
  jobId: z.string().nullable(),
  approvalRequired: z.boolean().optional(),
  requestId: z.string().optional(),
  requestNumber: z.number().int().optional(),
  approvalId: z.string().nullable().optional(),
  reason: z.string().optional(),
});
export type RunVmActionResult = z.infer<typeof runVmActionResultSchema>;

export const extendLeaseResultSchema = z.object({
  /** The lease's end now (unchanged while an extension waits for approval). */
  leaseExpiresAt: z.string(),
  approvalRequired: z.boolean().optional(),
  requestId: z.string().optional(),
  requestNumber: z.number().int().optional(),
  approvalId: z.string().nullable().optional(),
  reason: z.string().optional(),
});
export type ExtendLeaseResult = z.infer<typeof extendLeaseResultSchema>;

export const pendingApprovalSchema = z.object({
  requestId: z.string(),
  requestNumber: z.number().int(),
  action: z.enum(GATED_ACTIONS),
  /** e.g. "resize to m5.2xlarge (+120.00 USD/month)". */
  summary: z.string(),
});

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
  /** Day-2 actions waiting for an approval chain (link: /requests/{requestId}). */
  pendingApprovals: z.array(pendingApprovalSchema),
});
export type VmActionsView = z.infer<typeof vmActionsViewSchema>;
