// Translate google-gax / google-auth-library failures and failed zone Operations into
// ProviderError, keeping Google's own code (reason or Operation error code) and message.
import { codeForHttpStatus, isProviderError, networkError, ProviderError, type ProviderErrorCode } from '../errors';

/** gRPC status codes gax puts on errors (google.rpc.Code). */
export const RpcCode = {
  CANCELLED: 1,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** What gax retries for us: throttling, 5xx and timeouts (every call is safe to repeat). */
export const RETRYABLE_RPC_CODES: number[] = [
  RpcCode.RESOURCE_EXHAUSTED,
  RpcCode.INTERNAL,
  RpcCode.UNAVAILABLE,
  RpcCode.DEADLINE_EXCEEDED,
];

const OAUTH_ERRORS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'invalid_scope', 'access_denied']);
const RAW_PAYLOAD = Symbol.for('google-gax.rawHttpResponsePayload');

interface GaxLikeError {
  code?: unknown;
  httpStatusCode?: unknown;
  message?: unknown;
  reason?: unknown;
  cause?: unknown;
}

const asObject = (value: unknown): Record<PropertyKey, unknown> | undefined =>
  typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>) : undefined;

/** The OAuth error body (`{error, error_description}`) from the token endpoint, if that failed. */
function oauthFailure(error: unknown): { error: string; description: string } | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const data = asObject(asObject(asObject(current)?.response)?.data);
    if (data && typeof data.error === 'string' && OAUTH_ERRORS.has(data.error)) {
      return { error: data.error, description: typeof data.error_description === 'string' ? data.error_description : data.error };
    }
    current = asObject(current)?.cause;
  }
  return undefined;
}

/** `errors[0].reason` of the Compute error envelope, when gax kept the raw body. */
function envelopeReason(error: unknown): string | undefined {
  const raw = asObject(error)?.[RAW_PAYLOAD];
  let body: unknown = raw;
  if (typeof raw === 'string') {
    try {
      body = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  const errors = asObject(asObject(body)?.error)?.errors;
  const first = Array.isArray(errors) ? asObject(errors[0]) : undefined;
  return typeof first?.reason === 'string' ? first.reason : undefined;
}

function codeForRpc(rpcCode: number): ProviderErrorCode {
  switch (rpcCode) {
    case RpcCode.UNAUTHENTICATED:
    case RpcCode.PERMISSION_DENIED:
      return 'auth_failed';
    case RpcCode.NOT_FOUND:
      return 'not_found';
    case RpcCode.ALREADY_EXISTS:
    case RpcCode.ABORTED:
      return 'conflict';
    case RpcCode.RESOURCE_EXHAUSTED:
      return 'throttled';
    case RpcCode.INTERNAL:
    case RpcCode.UNAVAILABLE:
    case RpcCode.DEADLINE_EXCEEDED:
    case RpcCode.CANCELLED:
      return 'unavailable';
    default:
      return 'invalid_request';
  }
}

/** Compute `errors[].reason` values that say more than the HTTP status does. */
function codeForReason(reason: string | undefined): ProviderErrorCode | undefined {
  switch (reason) {
    case 'quotaExceeded':
    case 'QUOTA_EXCEEDED':
      return 'quota_exceeded';
    case 'rateLimitExceeded':
    case 'userRateLimitExceeded':
    case 'RATE_LIMIT_EXCEEDED':
      return 'throttled';
    case 'alreadyExists':
      return 'conflict';
    default:
      return undefined;
  }
}

export function toProviderError(error: unknown, endpoint: string, what: string): ProviderError {
  if (isProviderError(error)) return error;
  const oauth = oauthFailure(error);
  if (oauth) {
    return new ProviderError('auth_failed', `Google rejected the service-account key while ${what}: ${oauth.description}`, {
      providerCode: oauth.error,
      providerMessage: oauth.description,
      httpStatus: 400,
      retryable: false,
      cause: error,
    });
  }
  const gax = asObject(error) as GaxLikeError | undefined;
  const message = typeof gax?.message === 'string' ? gax.message : String(error);
  const httpStatus = typeof gax?.httpStatusCode === 'number' ? gax.httpStatusCode : undefined;
  const rpcCode = typeof gax?.code === 'number' ? gax.code : undefined;
  const reason = envelopeReason(error) ?? (typeof gax?.reason === 'string' ? gax.reason : undefined);

  if (httpStatus === undefined) {
    if (rpcCode === undefined) return networkError(endpoint, error);
    // gax gave up retrying: name the last failure it saw (kept only in its message).
    if (/Exceeded maximum number of retries|Total timeout of API/.test(message)) {
      const throttled = /RATE_LIMIT_EXCEEDED|rateLimitExceeded|Queries per minute/.test(message);
      return new ProviderError(throttled ? 'throttled' : 'unavailable', `${what} failed after retries: ${message}`, {
        providerMessage: message,
        retryable: true,
        cause: error,
      });
    }
    if (rpcCode === RpcCode.UNAVAILABLE || rpcCode === RpcCode.DEADLINE_EXCEEDED || rpcCode === RpcCode.CANCELLED) {
      return networkError(endpoint, error);
    }
  }
  const code = codeForReason(reason) ?? (httpStatus !== undefined ? codeForHttpStatus(httpStatus) : codeForRpc(rpcCode ?? -1));
  return new ProviderError(code, `Compute Engine ${what} failed: ${message}`, {
    providerCode: reason ?? (httpStatus !== undefined ? `HTTP ${httpStatus}` : undefined),
    providerMessage: message,
    httpStatus,
    cause: error,
  });
}

export interface OperationErrorShape {
  error?: { errors?: { code?: string | null; message?: string | null }[] | null } | null;
  httpErrorStatusCode?: number | null;
  httpErrorMessage?: string | null;
  operationType?: string | null;
  targetLink?: string | null;
}

/** Operation `error.errors[].code` values and what they mean for a retry. */
function codeForOperationError(code: string | undefined, httpStatus: number | undefined): ProviderErrorCode {
  switch (code) {
    case 'QUOTA_EXCEEDED':
      return 'quota_exceeded';
    case 'RESOURCE_ALREADY_EXISTS':
      return 'conflict';
    case 'RESOURCE_NOT_FOUND':
      return 'not_found';
    case 'ZONE_RESOURCE_POOL_EXHAUSTED':
    case 'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS':
      return 'unavailable';
    case 'RESOURCE_NOT_READY':
      return 'conflict';
    default:
      return httpStatus !== undefined ? codeForHttpStatus(httpStatus) : 'unavailable';
  }
}

/** A DONE Operation with `error` set, as a ProviderError; undefined when it succeeded. */
export function operationFailure(operation: OperationErrorShape): ProviderError | undefined {
  const errors = operation.error?.errors ?? [];
  if (errors.length === 0) return undefined;
  const first = errors[0]!;
  const providerCode = first.code ?? undefined;
  const httpStatus = operation.httpErrorStatusCode ?? undefined;
  const code = codeForOperationError(providerCode, httpStatus);
  const providerMessage = errors.map((e) => e.message ?? e.code ?? '').join('; ');
  return new ProviderError(code, `Compute Engine ${operation.operationType ?? 'operation'} failed: ${providerMessage}`, {
    providerCode,
    providerMessage,
    httpStatus,
    // A not-ready resource is retryable once it settles; quota and bad requests are not.
    retryable: code === 'quota_exceeded' || code === 'invalid_request' ? false : undefined,
  });
}
