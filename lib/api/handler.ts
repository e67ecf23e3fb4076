// Route handlers stay thin: `handle(operation, impl)` parses params/query/body with the
// operation's zod schemas, authenticates, checks the capability, builds the audit context and
// turns every error into problem+json. `impl` calls lib/.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { actorOf, auditContext, type AuditContext } from '../audit/record';
import { assertCan } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { principalFromHeaders } from '../auth/request-principal';
import { db as defaultDb, type Db } from '../db/client';
import { UnauthorizedError, ValidationError } from '../errors';
import type { Operation } from './operation';
import { problemFromError, problemResponse, zodIssues } from './problem';

export interface HandlerContext<P, Q, B> {
  request: Request;
  db: Db;
  principal: Principal;
  params: P;
  query: Q;
  body: B;
  audit: AuditContext;
  requestId: string;
}

type RouteContext = { params: Promise<Record<string, string | string[]>> };
type Impl<P, Q, B> = (ctx: HandlerContext<P, Q, B>) => Promise<unknown>;

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

async function readBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text.trim()) return undefined;
  const type = request.headers.get('content-type') ?? '';
  if (!type.includes('json')) {
    throw new ValidationError([{ field: '(body)', message: 'Send the body as JSON with Content-Type: application/json.' }], 'Unsupported body format.');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError([{ field: '(body)', message: 'The body is not valid JSON.' }], 'Malformed JSON body.');
  }
}

function parseWith<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(zodIssues(result.error, where));
  return result.data;
}

function json(data: unknown, status: number, requestId: string): Response {
  if (status === 204) return new Response(null, { status, headers: { 'x-request-id': requestId } });
  return new Response(JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)), {
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
  });
}

export function handle<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  operation: Operation<P, Q, B, R>,
  impl: Impl<z.output<P>, z.output<Q>, z.output<B>>,
) {
  return async (request: Request, context?: RouteContext): Promise<Response> => {
    const requestId = request.headers.get('x-request-id')?.slice(0, 100) || randomUUID();
    const url = new URL(request.url);
    try {
      const db = dbProvider();
      let principal: Principal | null = null;
      if (operation.access.kind !== 'public') {
        const resolved = await principalFromHeaders(db, request.headers);
        if (!resolved.principal) {
          throw new UnauthorizedError(
            resolved.reason === 'invalid_token' ? 'The API token is unknown, revoked or expired.' : undefined,
          );
        }
        principal = resolved.principal;
        if (operation.access.kind === 'capability') assertCan(principal, operation.access.capability);
      }
      const params = parseWith(operation.params, context ? await context.params : {}, 'path');
      const query = parseWith(operation.query, queryObject(url), 'query');
      const body = parseWith(operation.body, operation.body ? await readBody(request) : undefined, 'body');
      const ip = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
      const audit = principal ? auditContext(actorOf(principal), requestId, ip) : auditContext({ type: 'system', label: 'anonymous' }, requestId, ip);
      const result = await impl({
        request,
        db,
        principal: principal as Principal,
        params: params as z.output<P>,
        query: query as z.output<Q>,
        body: body as z.output<B>,
        audit,
        requestId,
      });
      if (result instanceof Response) return result;
      return json(result, operation.successStatus ?? 200, requestId);
    } catch (error) {
      const problem = problemFromError(error, requestId, url.pathname);
      if (problem.status >= 500 && problem.type.endsWith('internal-error')) {
        console.error(`[${requestId}] ${operation.operationId} failed:`, error);
      }
      return problemResponse(problem, error);
    }
  };
}
