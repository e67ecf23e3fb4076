// Connection settings (stored in clear) and secrets (stored encrypted) of a GCP account.
import { z } from 'zod';

export const settingsSchema = z.object({
  /** Project that owns the VMs; defaults to the key's `project_id`. */
  projectId: z
    .string()
    .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'GCP project ids are 6–30 lower-case letters, digits and hyphens')
    .optional(),
  /**
   * Compute API endpoint override, e.g. `http://127.0.0.1:8085` for the emulator. The default is
   * https://compute.googleapis.com.
   */
  apiEndpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** Public image projects offered by `listImages`. */
  imageProjects: z.array(z.string().min(1)).min(1).optional(),
});
export type Settings = z.infer<typeof settingsSchema>;

/** The fields of a service-account key file the adapter uses. */
export const serviceAccountKeySchema = z.object({
  type: z.literal('service_account'),
  project_id: z.string().min(1),
  private_key_id: z.string().min(1),
  private_key: z.string().includes('PRIVATE KEY'),
  client_email: z.email(),
  token_uri: z.url().optional(),
});
export type ServiceAccountKey = z.infer<typeof serviceAccountKeySchema>;

export const secretsSchema = z.object({
  /** The service-account key file (JSON) exactly as downloaded from the Cloud console. */
  serviceAccountKeyJson: z.string().superRefine((text, ctx) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Not valid JSON: paste the whole key file' });
      return;
    }
    const result = serviceAccountKeySchema.safeParse(parsed);
    if (!result.success) {
      ctx.addIssue({ code: 'custom', message: `Not a service-account key: ${result.error.issues[0]?.message ?? 'invalid'}` });
    }
  }),
});
export type Secrets = z.infer<typeof secretsSchema>;

export function parseServiceAccountKey(secrets: Secrets): ServiceAccountKey {
  return serviceAccountKeySchema.parse(JSON.parse(secrets.serviceAccountKeyJson));
}

export const DEFAULT_IMAGE_PROJECTS = ['debian-cloud', 'ubuntu-os-cloud'];
