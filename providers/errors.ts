// Normalized provider errors. Adapters translate every SDK/protocol failure into one of these so
// jobs can decide "retry later" vs "fail the request" without knowing the provider.

export const PROVIDER_ERROR_CODES = [
  'throttled',
  'quota_exceeded',
  'auth_failed',
  'not_found',
  'invalid_request',
  'conflict',
  'unavailable',
] as const;
export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

const RETRYABLE_BY_DEFAULT: Record<ProviderErrorCode, boolean> = {
  throttled: true,
  quota_exceeded: false,
  auth_failed: false,
  not_found: false,
  invalid_request: false,
  conflict: true,
  unavailable: true,
};

export interface ProviderErrorDetails {
  /** The provider's own error code (e.g. `RequestLimitExceeded`, `QuotaExceeded`, `InvalidLogin`). */
  providerCode?: string;
  /** The provider's own message, kept verbatim for the operator. */
  providerMessage?: string;
  httpStatus?: number;
  retryable?: boolean;
  cause?: unknown;
}

export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  readonly providerCode?: string;
  readonly providerMessage?: string;
  readonly httpStatus?: number;

  constructor(code: ProviderErrorCode, message: string, details: ProviderErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ProviderError';
    this.code = code;
    this.retryable = details.retryable ?? RETRYABLE_BY_DEFAULT[code];
    this.providerCode = details.providerCode;
    this.providerMessage = details.providerMessage;
    this.httpStatus = details.httpStatus;
  }

  toJSON() {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      providerCode: this.providerCode,
      providerMessage: this.providerMessage,
      httpStatus: this.httpStatus,
    };
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}

/** Map an HTTP status (when the provider gave nothing more specific) to a normalized code. */
export function codeForHttpStatus(status: number): ProviderErrorCode {
  if (status === 401 || status === 403) return 'auth_failed';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'unavailable';
  return 'invalid_request';
}

/** Network-level failures (refused, DNS, TLS, timeouts) become `unavailable` with a clear message. */
export function networkError(endpoint: string, cause: unknown): ProviderError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ProviderError('unavailable', `Cannot reach ${endpoint}: ${reason}`, {
    providerMessage: reason,
    retryable: true,
    cause,
  });
}
