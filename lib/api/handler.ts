// Route handlers stay thin: `handle(operation, impl)` authenticates, enforces the token's scope and
// project access, applies the CSRF rule to cookie-authenticated writes, parses params/query/body
// with the operation's zod schemas (refusing NUL characters first), builds the audit context and
// turns every error into problem+json. `impl` calls lib/.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { auditContext, type AuditContext } from '../audit/record';
import { assertCan, assertProjectAccess } from '../auth/permissions';
import { actorOf, type Principal } from '../auth/principal';
import { principalFromHeaders } from '../auth/request-principal';
import { db as defaultDb, type Db } from '../db/client';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../errors';
import { assertNoNulCharacters, formInput } from '../validation/input';
import { assertSessionWriteAllowed, mediaType, UnsupportedMediaTypeError } from './csrf';
import type { Operation } from './operation';
import { problemFromError, problemResponse, zodIssues } from './problem';

export interface HandlerContext<P, Q, B> {
  request: Request;
  db: Db;
  principal: Principal;
  params: P;
  query: Q;
  body: B;
  /** The parsed multipart form, for operations declared with bodyType: 'multipart' (files included). */
  form: FormData | undefined;
  audit: AuditContext;
  requestId: string;
}

type RouteContext = { params: Promise<Record<string, string | string[]>> };
type Impl<P, Q, B> = (ctx: HandlerContext<P, Q, B>) => Promise<unknown>;

/** Largest JSON body accepted; every schema is bounded too, this stops work before parsing. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** Lets tests point handlers at their own database. */
let dbProvider: () => Db = defaultDb;
export function setHandlerDatabase(provider: () => Db) {
  dbProvider = provider;
}

function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length > 1 ? all : all[0]!;
  }
  return out;
}

async function readJsonBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_JSON_BODY_BYTES) throw bodyTooLarge();
  const text = await request.text();
  if (text.length > MAX_JSON_BODY_BYTES) throw bodyTooLarge();
  if (!text.trim()) return undefined;
  if (mediaType(request.headers.get('content-type')) !== 'application/json') throw new UnsupportedMediaTypeError('application/json');
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError([{ field: '(body)', message: 'The body is not valid JSON.' }], 'Malformed JSON body.');
  }
}

const bodyTooLarge = () => new ValidationError([{ field: '(body)', message: `The body can be at most ${MAX_JSON_BODY_BYTES} bytes.` }], 'The body is too large.');

async function readMultipartBody(request: Request): Promise<FormData> {
  if (mediaType(request.headers.get('content-type')) !== 'multipart/form-data') throw new UnsupportedMediaTypeError('multipart/form-data');
  try {
    return await request.formData();
  } catch {
    throw new ValidationError([{ field: '(body)', message: 'The body is not a valid multipart/form-data form.' }], 'Malformed form body.');
  }
}

function parseWith<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(zodIssues(result.error, where));
  return result.data;
}

/** The project a call names, from the raw path parameter or the body's `projectId`, before validation. */
export function namedProjectIds(params: Record<string, unknown>, body: unknown): string[] {
  const ids: string[] = [];
  if (typeof params.projectId === 'string') ids.push(params.projectId);
  if (body && typeof body === 'object' && !Array.isArray(body) && 'projectId' in body) {
    const value = (body as { projectId: unknown }).projectId;
    if (typeof value === 'string' && value) ids.push(value);
  }
  return ids;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function json(data: unknown, status: number, headers: Headers): Response {
  if (status === 204) return new Response(null, { status, headers });
  headers.set('content-type', 'application/json');
  return new Response(JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)), { status, headers });
}

export function handle<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  operation: Operation<P, Q, B, R>,
  impl: Impl<z.output<P>, z.output<Q>, z.output<B>>,
) {
  return async (request: Request, context?: RouteContext): Promise<Response> => {
    const requestId = request.headers.get('x-request-id')?.slice(0, 100) || randomUUID();
    const url = new URL(request.url);
    const authenticated = operation.access.kind !== 'public';
    const finish = (response: Response) => {
      // Answers that depend on who asks must never be stored by a browser or a shared cache.
      if (!authenticated) return response;
      try {
        response.headers.set('cache-control', 'no-store');
        return response;
      } catch {
        // An impl returned a Response with immutable headers (e.g. Response.redirect): copy it.
        const copy = new Response(response.body, response);
        copy.headers.set('cache-control', 'no-store');
        return copy;
      }
    };
    try {
      const db = dbProvider();
      let principal: Principal | null = null;
      const isWrite = WRITE_METHODS.has(operation.method);
      if (authenticated) {
        const resolved = await principalFromHeaders(db, request.headers);
        if (!resolved.principal) {
          throw new UnauthorizedError(
            resolved.reason === 'invalid_token' ? 'The API token is unknown, revoked or expired.' : undefined,
          );
        }
        principal = resolved.principal;
        if (operation.access.kind === 'capability') assertCan(principal, operation.access.capability);
        // A read-only token never writes, whatever the operation's access says.
        if (isWrite && principal.via === 'api_token' && !(principal.scopes ?? []).includes('write')) {
          throw new ForbiddenError('This API token is read-only: writes need the "write" scope.');
        }
        if (isWrite && principal.via === 'session') assertSessionWriteAllowed(request.headers, operation.method, operation.bodyType ?? 'json');
      }
      // Next passes no params object (or a promise of undefined) for routes without dynamic segments.
      const rawParams: Record<string, unknown> = (context ? await context.params : undefined) ?? {};
      let rawBody: unknown;
      let form: FormData | undefined;
      if (operation.bodyType === 'multipart' && operation.streamBody) {
        // The impl streams the body (see Operation.streamBody); only the media type is checked here.
        if (mediaType(request.headers.get('content-type')) !== 'multipart/form-data') throw new UnsupportedMediaTypeError('multipart/form-data');
      } else if (operation.bodyType === 'multipart') {
        form = await readMultipartBody(request);
        rawBody = operation.body ? formInput(operation.body, form) : undefined;
        for (const [name, value] of form.entries()) if (typeof value === 'string') assertNoNulCharacters({ [name]: value }, 'body');
      } else if (operation.body) {
        rawBody = await readJsonBody(request);
      }
      const rawQuery = queryObject(url);
      assertNoNulCharacters(rawParams, 'path');
      assertNoNulCharacters(rawQuery, 'query');
      assertNoNulCharacters(rawBody, 'body');
      // Project access is derived from what the call names, not from a flag an operation may forget.
      if (principal) for (const projectId of namedProjectIds(rawParams, rawBody)) assertProjectAccess(principal, projectId);
      const params = parseWith(operation.params, rawParams, 'path');
      const query = parseWith(operation.query, rawQuery, 'query');
      const body = operation.streamBody ? undefined : parseWith(operation.body, rawBody, 'body');
      const ip = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim().slice(0, 100) || undefined;
      const audit = principal ? auditContext(actorOf(principal), requestId, ip) : auditContext({ type: 'system', label: 'anonymous' }, requestId, ip);
      const result = await impl({
        request,
        db,
        principal: principal as Principal,
        params: params as z.output<P>,
        query: query as z.output<Q>,
        body: body as z.output<B>,
        form,
        audit,
        requestId,
      });
      if (result instanceof Response) return finish(result);
      return finish(json(result, operation.successStatus ?? 200, new Headers({ 'x-request-id': requestId })));
    } catch (error) {
      const problem = problemFromError(error, requestId, url.pathname);
      if (problem.status >= 500 && problem.type.endsWith('internal-error')) {
        console.error(`[${requestId}] ${operation.operationId} failed:`, error);
      }
      return finish(problemResponse(problem, error));
    }
  };
}
