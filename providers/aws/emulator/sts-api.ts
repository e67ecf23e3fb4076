// STS Query API (AssumeRole, GetCallerIdentity) on the same emulator, so the assume-role path is
// exercised on the wire. Temporary credentials are real key/secret/token triples the SigV4 check
// accepts until they expire. Errors use the awsQuery `<ErrorResponse>` envelope, unlike EC2.
import { randomBytes } from 'node:crypto';
import { SANDBOX_ACCOUNT, SANDBOX_ROLES, STS_NAMESPACE, roleArn } from './catalog';
import { asString, type QueryStruct } from './query';
import { renderDocument } from './xml';

export class StsApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

export function renderStsError(error: StsApiError, requestId: string): string {
  return renderDocument('ErrorResponse', STS_NAMESPACE, {
    Error: { Type: error.type, Code: error.code, Message: error.message },
    RequestId: requestId,
  });
}

/** Who signed a request: the sandbox IAM user, or a session of an assumed role. */
export interface Principal {
  arn: string;
  userId: string;
  /** Present for temporary credentials. */
  session?: TemporaryCredential;
}

export interface TemporaryCredential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number;
  roleName: string;
  sessionName: string;
  roleId: string;
}

export const SANDBOX_USER_ARN = `arn:aws:iam::${SANDBOX_ACCOUNT.accountId}:user/${SANDBOX_ACCOUNT.userName}`;
const SANDBOX_USER_ID = 'AIDASKYPORTSANDBOX01';

export class StsSessions {
  private readonly byAccessKey = new Map<string, TemporaryCredential>();

  /** Secret and principal for an access key id, or undefined when the key is unknown. */
  lookup(accessKeyId: string): { secret: string; principal: Principal } | undefined {
    if (accessKeyId === SANDBOX_ACCOUNT.accessKeyId) {
      return { secret: SANDBOX_ACCOUNT.secretAccessKey, principal: { arn: SANDBOX_USER_ARN, userId: SANDBOX_USER_ID } };
    }
    const session = this.byAccessKey.get(accessKeyId);
    if (!session) return undefined;
    return {
      secret: session.secretAccessKey,
      principal: {
        arn: `arn:aws:sts::${SANDBOX_ACCOUNT.accountId}:assumed-role/${session.roleName}/${session.sessionName}`,
        userId: `${session.roleId}:${session.sessionName}`,
        session,
      },
    };
  }

  assumeRole(caller: Principal, input: QueryStruct, requestId: string): string {
    const arn = asString(input.RoleArn);
    const sessionName = asString(input.RoleSessionName);
    if (!arn) throw new StsApiError(400, 'ValidationError', "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
    if (!sessionName || !/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new StsApiError(400, 'ValidationError', "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
    }
    const duration = Number(asString(input.DurationSeconds) ?? '3600');
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      throw new StsApiError(400, 'ValidationError', `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
    }
    const role = SANDBOX_ROLES.find((r) => roleArn(r.name) === arn);
    const externalId = asString(input.ExternalId);
    if (!role || (role.externalId !== undefined && role.externalId !== externalId)) {
      throw new StsApiError(403, 'AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${arn}`);
    }
    const credential: TemporaryCredential = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      expiresAt: Date.now() + duration * 1000,
      roleName: role.name,
      sessionName,
      roleId: `AROA${Buffer.from(role.name).toString('hex').slice(0, 17).toUpperCase()}`,
    };
    this.byAccessKey.set(credential.accessKeyId, credential);
    return renderDocument('AssumeRoleResponse', STS_NAMESPACE, {
      AssumeRoleResult: {
        Credentials: {
          AccessKeyId: credential.accessKeyId,
          SecretAccessKey: credential.secretAccessKey,
          SessionToken: credential.sessionToken,
          Expiration: new Date(credential.expiresAt).toISOString(),
        },
        AssumedRoleUser: {
          AssumedRoleId: `${credential.roleId}:${sessionName}`,
          Arn: `arn:aws:sts::${SANDBOX_ACCOUNT.accountId}:assumed-role/${role.name}/${sessionName}`,
        },
      },
      ResponseMetadata: { RequestId: requestId },
    });
  }

  /** Test hook: make a session's credentials expire now. */
  expire(accessKeyId: string) {
    const session = this.byAccessKey.get(accessKeyId);
    if (session) session.expiresAt = Date.now() - 1;
  }
}

export function getCallerIdentity(caller: Principal, requestId: string): string {
  return renderDocument('GetCallerIdentityResponse', STS_NAMESPACE, {
    GetCallerIdentityResult: { Arn: caller.arn, UserId: caller.userId, Account: SANDBOX_ACCOUNT.accountId },
    ResponseMetadata: { RequestId: requestId },
  });
}
