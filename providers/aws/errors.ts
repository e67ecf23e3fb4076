// Translate AWS SDK / wire failures into ProviderError. EC2 and STS error codes are documented
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html); the SDK puts the
// code in `name`, the HTTP status in `$metadata.httpStatusCode`.
import { codeForHttpStatus, networkError, ProviderError, type ProviderErrorCode } from '../errors';

const THROTTLING = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'SlowDown']);
const QUOTA = new Set([
  'InstanceLimitExceeded',
  'VcpuLimitExceeded',
  'MaxSpotInstanceCountExceeded',
  'ResourceLimitExceeded',
  'RequestResourceCountExceeded',
  'TagLimitExceeded',
  'LimitExceeded',
  'AddressLimitExceeded',
  'VolumeLimitExceeded',
]);
const AUTH = new Set([
  'AuthFailure',
  'UnauthorizedOperation',
  'SignatureDoesNotMatch',
  'InvalidClientTokenId',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'AccessDenied',
  'AccessDeniedException',
  'OptInRequired',
  'Blocked',
  'RegionDisabledException',
  'PendingVerification',
]);
const CONFLICT = new Set(['IncorrectInstanceState', 'IncorrectState', 'IdempotentParameterMismatch', 'DependencyViolation']);
const UNAVAILABLE = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable', 'InsufficientInstanceCapacity', 'InsufficientCapacity']);

/** Network-level failure names/codes from the Node HTTP handler and the SDK's retry layer. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $fault?: unknown;
}

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

export function normalizedCodeFor(awsCode: string, httpStatus: number | undefined): ProviderErrorCode {
  if (THROTTLING.has(awsCode)) return 'throttled';
  if (QUOTA.has(awsCode) || /LimitExceeded$/.test(awsCode)) return 'quota_exceeded';
  if (AUTH.has(awsCode)) return 'auth_failed';
  if (CONFLICT.has(awsCode)) return 'conflict';
  if (UNAVAILABLE.has(awsCode)) return 'unavailable';
  if (/\.NotFound$|^NotFound$|NoSuch/.test(awsCode)) return 'not_found';
  if (/^Invalid|\.Malformed$|^MissingParameter$|^Unsupported|^ValidationError$|^DryRunOperation$/.test(awsCode)) return 'invalid_request';
  return httpStatus ? codeForHttpStatus(httpStatus) : 'unavailable';
}

/** Messages written for the operator; the AWS code and message stay in providerCode/providerMessage. */
function summaryFor(code: ProviderErrorCode, awsCode: string, operation: string): string {
  switch (code) {
    case 'throttled':
      return `AWS throttled ${operation} (${awsCode}); retries were exhausted`;
    case 'quota_exceeded':
      return `AWS quota reached during ${operation} (${awsCode}); request a limit increase or free capacity`;
    case 'auth_failed':
      return `AWS rejected the credentials or permissions for ${operation} (${awsCode})`;
    case 'not_found':
      return `AWS resource not found during ${operation} (${awsCode})`;
    case 'conflict':
      return `AWS refused ${operation} in the resource's current state (${awsCode})`;
    case 'unavailable':
      return `AWS failed ${operation} (${awsCode})`;
    default:
      return `AWS rejected ${operation} as invalid (${awsCode})`;
  }
}

export function toProviderError(error: unknown, operation: string, endpoint: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const shape = shapeOf(error);
  const name = typeof shape.name === 'string' ? shape.name : '';
  const message = typeof shape.message === 'string' ? shape.message : String(error);
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  const nodeCode = typeof shape.code === 'string' ? shape.code : '';
  if (status === undefined && (name === 'TimeoutError' || NETWORK_CODES.has(nodeCode) || name === 'AbortError' || shape.$fault === undefined)) {
    return networkError(endpoint, error);
  }
  const awsCode = name || `HTTP${status ?? ''}`;
  const code = normalizedCodeFor(awsCode, status);
  // A reused client token with other parameters will not succeed by waiting: do not retry it.
  const retryable = awsCode === 'IdempotentParameterMismatch' ? false : undefined;
  return new ProviderError(code, summaryFor(code, awsCode, operation), {
    providerCode: awsCode,
    providerMessage: message,
    httpStatus: status,
    retryable,
    cause: error,
  });
}
