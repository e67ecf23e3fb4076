// An API operation is declared once (method, path, access, zod schemas) and used three times:
// by its route handler (parsing and authorization), by the OpenAPI document, and by the test that
// checks every route's 401/403 behaviour.
import type { z } from 'zod';
import type { Capability } from '../auth/permissions';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type Access =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | { kind: 'capability'; capability: Capability };

export interface Operation<
  Params extends z.ZodType = z.ZodType,
  Query extends z.ZodType = z.ZodType,
  Body extends z.ZodType = z.ZodType,
  Result extends z.ZodType = z.ZodType,
> {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path template, e.g. /api/v1/projects/{projectId}. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  /**
   * Documents that the operation acts on one project. handle() does not rely on it: whenever the
   * path or the body names a `projectId`, non-members get 403 (see lib/api/handler.ts).
   */
  projectScoped?: boolean;
  /**
   * How the body is sent: JSON (default) or multipart/form-data for an upload. For 'multipart',
   * handle() parses the form, validates its non-file fields with `body` (see formInput) and gives
   * the impl the FormData as `ctx.form`.
   */
  bodyType?: 'json' | 'multipart';
  /**
   * multipart only: handle() leaves the body unread (ctx.form and ctx.body are undefined) and the
   * impl streams `ctx.request.body` itself and validates its fields with `body` — for uploads too
   * large to buffer (cost exports). Auth, CSRF and the media-type check still happen in handle().
   */
  streamBody?: boolean;
  params?: Params;
  query?: Query;
  body?: Body;
  response: Result;
  successStatus?: 200 | 201 | 202 | 204;
  /**
   * A valid body, used as the OpenAPI example and by the authorization test (so a foreign-project
   * call reaches the project check instead of failing validation).
   */
  exampleBody?: z.input<Body>;
}

export function defineOperation<
  Params extends z.ZodType = z.ZodType,
  Query extends z.ZodType = z.ZodType,
  Body extends z.ZodType = z.ZodType,
  Result extends z.ZodType = z.ZodType,
>(operation: Operation<Params, Query, Body, Result>): Operation<Params, Query, Body, Result> {
  return operation;
}

export const capability = (name: Capability): Access => ({ kind: 'capability', capability: name });
export const AUTHENTICATED: Access = { kind: 'authenticated' };
export const PUBLIC: Access = { kind: 'public' };
