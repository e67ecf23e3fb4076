import { z } from 'zod';

const ARM_SUBNET_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i;

/** Non-secret connection settings for one Azure subscription. */
export const settingsSchema = z.object({
  tenantId: z.string().min(1),
  subscriptionId: z.string().min(1),
  /** Resource group Skyport creates VMs and NICs in. */
  resourceGroup: z.string().min(1).max(90),
  /** Full ARM id of the subnet new NICs join. */
  subnetId: z.string().regex(ARM_SUBNET_ID, 'must be a full ARM subnet id'),
  /** Entra ID authority host override (default https://login.microsoftonline.com). */
  authorityHost: z.url().optional(),
  /** Resource Manager endpoint override (default https://management.azure.com). */
  armEndpoint: z.url().optional(),
  /** PEM of a CA to trust for the overridden endpoints (the emulator's self-signed CA). */
  caCertPem: z.string().optional(),
});

export const secretsSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
});

export type AzureSettings = z.infer<typeof settingsSchema>;
export type AzureSecrets = z.infer<typeof secretsSchema>;
