// Credentials for the EC2 client: the stored access key as is, or an assumed-role session that is
// refreshed before it expires. The session is fetched once and shared by concurrent callers.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/** Renew this long before expiry so a request never goes out with credentials about to lapse. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export interface AssumeRoleSettings {
  roleArn: string;
  externalId?: string;
  roleSessionName: string;
  durationSeconds?: number;
}

export function assumeRoleProvider(
  sts: STSClient,
  role: AssumeRoleSettings,
  now: () => number = Date.now,
): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;

  const fresh = (creds: AwsCredentialIdentity | undefined): creds is AwsCredentialIdentity =>
    creds !== undefined && (creds.expiration === undefined || creds.expiration.getTime() - now() > REFRESH_MARGIN_MS);

  async function assume(): Promise<AwsCredentialIdentity> {
    const result = await sts.send(
      new AssumeRoleCommand({
        RoleArn: role.roleArn,
        RoleSessionName: role.roleSessionName,
        ExternalId: role.externalId,
        DurationSeconds: role.durationSeconds,
      }),
    );
    const c = result.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      throw new Error('STS AssumeRole returned no credentials');
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  }

  return async () => {
    if (fresh(cached)) return cached;
    inFlight ??= assume().finally(() => {
      inFlight = undefined;
    });
    cached = await inFlight;
    return cached;
  };
}
