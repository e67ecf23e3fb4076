import { z } from 'zod';

export const settingsSchema = z.object({
  /** Region for account-wide calls (DescribeRegions, STS). */
  defaultRegion: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/).default('us-east-1'),
  /** Overrides the EC2 and STS endpoints (the local emulator, a VPC endpoint, LocalStack…). */
  endpoint: z.url().optional(),
  /** Separate STS endpoint when it differs from `endpoint`. */
  stsEndpoint: z.url().optional(),
  /** Assume this role with the given keys; the keys then only need sts:AssumeRole. */
  roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/).optional(),
  /** The trust policy's sts:ExternalId condition, if the role has one. */
  externalId: z.string().min(2).max(1224).optional(),
  roleSessionName: z.string().regex(/^[\w+=,.@-]{2,64}$/).default('skyport'),
  /** Owners whose AMIs `listImages` offers (`self`, `amazon`, account ids). */
  imageOwners: z.array(z.string().min(1)).min(1).default(['self', 'amazon']),
  /** Optional EC2 `name` filter for AMIs (wildcards allowed), e.g. `al2023-ami-*`. */
  imageNameFilter: z.string().min(1).optional(),
  /** Subnet per region for new instances; the default VPC is used where absent. */
  subnetIdsByRegion: z.record(z.string(), z.string().regex(/^subnet-[0-9a-f]+$/)).optional(),
});
export type AwsSettings = z.infer<typeof settingsSchema>;

export const secretsSchema = z.object({
  accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/),
  secretAccessKey: z.string().min(16),
  /** Only for already-temporary keys; assume-role sessions are obtained by the adapter itself. */
  sessionToken: z.string().min(1).optional(),
});
export type AwsSecrets = z.infer<typeof secretsSchema>;
