// Domain errors thrown by lib/ and turned into RFC 9457 problem responses by lib/api. User
// mistakes are never 500s: each has its own status and a message that says what to fix.

export interface FieldIssue {
  /** JSON-pointer-like path of the offending field, e.g. "items/0/quantity". */
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  readonly title: string;
  constructor(title: string, message: string = title) {
    super(message);
    this.title = title;
  }
}

export class ValidationError extends DomainError {
  readonly status: number = 400;
  readonly type = 'validation-error';
  constructor(readonly issues: FieldIssue[], message = 'The request has invalid fields.') {
    super('Invalid request', message);
  }
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly type = 'unauthorized';
  constructor(message = 'Sign in, or send a valid API token as "Authorization: Bearer <token>".') {
    super('Authentication required', message);
  }
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly type = 'forbidden';
  constructor(message = 'You do not have permission to do this.') {
    super('Forbidden', message);
  }
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly type = 'not-found';
  constructor(what: string) {
    super('Not found', `${what} was not found.`);
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
  readonly type = 'conflict';
  constructor(message: string) {
    super('Conflict', message);
  }
}

export class TooManyRequestsError extends DomainError {
  readonly status = 429;
  readonly type = 'too-many-requests';
  constructor(message: string, readonly retryAfterSeconds: number) {
    super('Too many attempts', message);
  }
}

/** A dependency (database, provider) is down: 503, not the user's fault, safe to retry. */
export class UnavailableError extends DomainError {
  readonly status = 503;
  readonly type = 'unavailable';
  constructor(message: string) {
    super('Service unavailable', message);
  }
}

/** zod issues as field-level messages; `prefix` names where the value came from (body, query…). */
export function fieldIssuesFromZod(error: { issues: { path: PropertyKey[]; message: string }[] }, prefix?: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('/') || '(root)',
    message: issue.message,
  }));
}
