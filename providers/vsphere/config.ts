import { z } from 'zod';

/** Non-secret connection settings for one vCenter. */
export const settingsSchema = z.object({
  /** The vim25 endpoint, e.g. https://vcenter.example.com/sdk (a bare host gets /sdk appended). */
  endpoint: z.string().url(),
  /** PEM of the CA (or the self-signed certificate) vCenter presents. */
  caCertPem: z.string().optional(),
  /** SHA-256 or SHA-1 fingerprint of vCenter's certificate, hex with or without colons. */
  thumbprint: z
    .string()
    .regex(/^([0-9a-fA-F]{2}:?){19}[0-9a-fA-F]{2}$|^([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/, 'SHA-1 or SHA-256 hex fingerprint')
    .optional(),
  /** Skip TLS verification (labs only). */
  insecure: z.boolean().default(false),
  /** Folder for new VMs, relative to the datacenter's VM folder (e.g. "skyport/prod"); root when absent. */
  vmFolder: z.string().optional(),
  /**
   * Resource pool for new VMs as an inventory path relative to the datacenter's host folder
   * (e.g. "cluster-a/Resources/skyport"); the first cluster's or host's root pool when absent.
   */
  resourcePool: z.string().optional(),
  /** Datastore name for new VMs; the template's datastore when absent. */
  datastore: z.string().optional(),
});
export type VsphereSettings = z.infer<typeof settingsSchema>;

export const secretsSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
});
export type VsphereSecrets = z.infer<typeof secretsSchema>;

export function sdkUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/sdk';
  return url.toString();
}
