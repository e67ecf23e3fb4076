// Translate whatever the Azure SDK throws (core-rest-pipeline RestError with an ARM CloudError,
// @azure/identity errors, aborts, socket errors) into Skyport's ProviderError.
import { codeForHttpStatus, isProviderError, ProviderError, type ProviderErrorCode } from '../errors';

interface CloudErrorBody {
  code?: string;
  message?: string;
  details?: CloudErrorBody[];
}

interface RestErrorLike {
  name: string;
  message: string;
  code?: string;
  statusCode?: number;
  details?: unknown;
}

interface IdentityErrorLike {
  name: string;
  message: string;
  statusCode?: number;
  errorResponse?: { error?: string; errorDescription?: string };
  cause?: unknown;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'REQUEST_SEND_ERROR']);
const TLS_HINT = /certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_/i;
const NETWORK_HINT = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up|network|timed out|timeout/i;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function cloudErrorOf(details: unknown): CloudErrorBody | undefined {
  if (!isObject(details)) return undefined;
  const inner = details.error;
  return isObject(inner) ? (inner as CloudErrorBody) : undefined;
}

function allCodes(error: CloudErrorBody | undefined, top: string | undefined): string[] {
  const codes = top ? [top] : [];
  const walk = (e: CloudErrorBody | undefined) => {
    if (!e) return;
    if (e.code) codes.push(e.code);
    e.details?.forEach(walk);
  };
  walk(error);
  return codes;
}

/** The normalized code for an ARM error response. */
export function codeForArmError(status: number, codes: string[], message: string): ProviderErrorCode {
  if (status === 429) return 'throttled';
  if (codes.includes('QuotaExceeded') || (codes.includes('OperationNotAllowed') && /quota/i.test(message))) return 'quota_exceeded';
  if (codes.some((c) => c === 'PropertyChangeNotAllowed' || c === 'InvalidParameter' || c === 'PlatformImageNotFound')) return 'invalid_request';
  return codeForHttpStatus(status);
}

function describeCause(cause: unknown): string {
  const parts: string[] = [];
  let current: unknown = cause;
  for (let depth = 0; depth < 5 && isObject(current); depth++) {
    if (typeof current.message === 'string') parts.push(current.message);
    if (typeof current.code === 'string') parts.push(current.code);
    current = current.cause;
  }
  return parts.join(' ');
}

export function toProviderError(error: unknown, endpoint: string, what: string): ProviderError {
  if (isProviderError(error)) return error;
  if (!isObject(error) || typeof error.name !== 'string') {
    return new ProviderError('unavailable', `${what} failed: ${String(error)}`, { cause: error, retryable: true });
  }
  if (error.name === 'AbortError' || error.name === 'TimeoutError') {
    return new ProviderError('unavailable', `${what} timed out or was aborted talking to ${endpoint}`, {
      providerMessage: String(error.message),
      retryable: true,
      cause: error,
    });
  }
  if (error.name === 'RestError') {
    const rest = error as unknown as RestErrorLike;
    if (rest.statusCode === undefined || rest.statusCode === 0) {
      const detail = `${rest.code ?? ''} ${rest.message} ${describeCause(error.cause)}`;
      const reason = TLS_HINT.test(detail) ? 'TLS verification failed (is caCertPem set for this endpoint?)' : rest.message;
      return new ProviderError('unavailable', `Cannot reach ${endpoint}: ${reason}`, {
        providerCode: rest.code,
        providerMessage: rest.message,
        retryable: !TLS_HINT.test(detail),
        cause: error,
      });
    }
    const cloud = cloudErrorOf(rest.details);
    const codes = allCodes(cloud, rest.code);
    const message = cloud?.message ?? rest.message;
    const detailMessages = (cloud?.details ?? []).map((d) => d.message ?? '').join(' ');
    const code = codeForArmError(rest.statusCode, codes, `${message} ${detailMessages}`);
    return new ProviderError(code, `${what} failed: ${message}`, {
      providerCode: cloud?.code ?? rest.code,
      providerMessage: message,
      httpStatus: rest.statusCode,
      cause: error,
    });
  }
  if (error.name === 'AuthenticationError' || error.name === 'CredentialUnavailableError' || error.name === 'AuthenticationRequiredError') {
    const identity = error as unknown as IdentityErrorLike;
    const detail = `${identity.message} ${describeCause(identity.cause)}`;
    const isNetwork = (identity.statusCode === undefined || identity.statusCode === 0 || identity.statusCode >= 500) && NETWORK_HINT.test(detail);
    if (isNetwork || TLS_HINT.test(detail)) {
      return new ProviderError('unavailable', `Cannot reach the Entra ID authority for ${endpoint}: ${identity.message.split('\n')[0]}`, {
        providerCode: identity.errorResponse?.error,
        providerMessage: identity.message,
        retryable: !TLS_HINT.test(detail),
        cause: error,
      });
    }
    const aadCode = /AADSTS\d+/.exec(identity.errorResponse?.errorDescription ?? identity.message)?.[0];
    return new ProviderError('auth_failed', `Azure sign-in failed: ${(identity.errorResponse?.errorDescription ?? identity.message).split('\n')[0]}`, {
      providerCode: aadCode ?? identity.errorResponse?.error,
      providerMessage: identity.errorResponse?.errorDescription ?? identity.message,
      httpStatus: identity.statusCode,
      cause: error,
    });
  }
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (code && NETWORK_CODES.has(code)) {
    return new ProviderError('unavailable', `Cannot reach ${endpoint}: ${String(error.message)}`, { providerCode: code, retryable: true, cause: error });
  }
  return new ProviderError('unavailable', `${what} failed: ${String(error.message ?? error)}`, {
    providerMessage: typeof error.message === 'string' ? error.message : undefined,
    retryable: true,
    cause: error,
  });
}
