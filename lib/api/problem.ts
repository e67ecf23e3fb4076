// RFC 9457 problem details: every API error is `application/problem+json` with a stable `type`,
// a human `title`/`detail`, and for validation errors the offending fields.
import { ZodError } from 'zod';
import { isProviderError, type ProviderError } from '@/providers/errors';
import { DomainError, fieldIssuesFromZod, type FieldIssue, TooManyRequestsError, ValidationError } from '../errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://skyport.dev/problems/';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: FieldIssue[];
  /** Normalized provider error, when a cloud call failed. */
  provider?: ReturnType<ProviderError['toJSON']>;
}

export const zodIssues = (error: ZodError, prefix?: string): FieldIssue[] => fieldIssuesFromZod(error, prefix);

const PROVIDER_STATUS: Record<ProviderError['code'], number> = {
  invalid_request: 422,
  not_found: 404,
  conflict: 409,
  quota_exceeded: 409,
  auth_failed: 502,
  throttled: 503,
  unavailable: 503,
};

export function problemFromError(error: unknown, requestId: string, instance?: string): ProblemDocument {
  if (error instanceof ZodError) {
    return { type: `${TYPE_BASE}validation-error`, title: 'Invalid request', status: 400, detail: 'The request has invalid fields.', errors: zodIssues(error), requestId, instance };
  }
  if (error instanceof ValidationError) {
    return { type: `${TYPE_BASE}${error.type}`, title: error.title, status: error.status, detail: error.message, errors: error.issues, requestId, instance };
  }
  if (error instanceof DomainError) {
    return { type: `${TYPE_BASE}${error.type}`, title: error.title, status: error.status, detail: error.message, requestId, instance };
  }
  if (isProviderError(error)) {
    return {
      type: `${TYPE_BASE}provider-${error.code.replaceAll('_', '-')}`,
      title: 'Cloud provider error',
      status: PROVIDER_STATUS[error.code],
      detail: error.message,
      provider: error.toJSON(),
      requestId,
      instance,
    };
  }
  return {
    type: `${TYPE_BASE}internal-error`,
    title: 'Internal error',
    status: 500,
    detail: `Something went wrong on our side. Quote request id ${requestId} when reporting it.`,
    requestId,
    instance,
  };
}

export function problemResponse(problem: ProblemDocument, error?: unknown): Response {
  const headers = new Headers({ 'content-type': PROBLEM_CONTENT_TYPE, 'x-request-id': problem.requestId ?? '' });
  if (error instanceof TooManyRequestsError) headers.set('retry-after', String(error.retryAfterSeconds));
  if (problem.status === 401) headers.set('www-authenticate', 'Bearer realm="skyport"');
  return new Response(JSON.stringify(problem), { status: problem.status, headers });
}
