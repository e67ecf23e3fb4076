// The one server-action wrapper (dub's authActionClient, in our terms): who is acting, may they,
// what did the form say, and what does the form show afterwards — in one place, so an action is
// only its lib/ call. Every server action in app/**/actions.ts is built with authAction (forms)
// or authCall (buttons that return data).
import { randomUUID } from 'node:crypto';
import { headers as nextHeaders } from 'next/headers';
import { redirect } from 'next/navigation';
import type { z } from 'zod';
import { auditContext, type AuditContext } from '../audit/record';
import { can, type Capability } from '../auth/permissions';
import { actorOf, type Principal } from '../auth/principal';
import { principalFromHeaders } from '../auth/request-principal';
import { db as defaultDb, type Db } from '../db/client';
import { formFailure, type FormState } from '../validation/form-state';
import { parseForm } from '../validation/input';

export interface ActionContext<Input> {
  input: Input;
  principal: Principal;
  db: Db;
  audit: AuditContext;
  form: FormData;
}

/** Where an action finds its request: Next's headers() in the app; tests point it elsewhere. */
export interface ActionRequestSource {
  db: () => Db;
  headers: () => Promise<Headers>;
}

const nextSource: ActionRequestSource = {
  db: defaultDb,
  headers: async () => new Headers(Object.fromEntries((await nextHeaders()).entries())),
};
let source: ActionRequestSource = nextSource;

/** Tests: resolve the principal from these headers and use this database (null restores Next's). */
export function setActionRequestSource(next: ActionRequestSource | null): void {
  source = next ?? nextSource;
}

export const forbiddenMessage = (capability: Capability) => `Your role does not allow ${capability}.`;

async function actingPrincipal(capability: Capability): Promise<{ principal: Principal; db: Db; audit: AuditContext } | { forbidden: true }> {
  const db = source.db();
  const headers = await source.headers();
  const resolved = await principalFromHeaders(db, headers);
  if (!resolved.principal) redirect('/signin');
  if (!can(resolved.principal, capability)) return { forbidden: true };
  const requestId = headers.get('x-request-id')?.slice(0, 100) || randomUUID();
  const ip = headers.get('x-forwarded-for')?.split(',')[0]?.trim().slice(0, 100) || undefined;
  return { principal: resolved.principal, db, audit: auditContext(actorOf(resolved.principal), requestId, ip) };
}

export interface AuthActionOptions<S extends z.ZodType> {
  capability: Capability;
  schema: S;
  /** The input a 409 (already exists) is about, so the message shows next to it. */
  conflictField?: string;
}

/**
 * A form action `(previous, form) => FormState`: signed out → redirect to /signin; without the
 * capability → a FormState error (nothing runs); the form parsed with `schema` (NUL characters
 * and zod issues → field errors); `fn`'s ValidationError / DomainError → field errors; a string
 * returned is the success message. redirect() inside `fn` works as usual.
 */
export function authAction<S extends z.ZodType>(
  options: AuthActionOptions<S>,
  fn: (ctx: ActionContext<z.output<S>>) => Promise<FormState | string | void>,
): (previous: FormState, form: FormData) => Promise<FormState> {
  return async (_previous, form) => {
    const acting = await actingPrincipal(options.capability);
    if ('forbidden' in acting) return { ok: false, message: forbiddenMessage(options.capability), errors: {} };
    try {
      const input = parseForm(options.schema, form);
      const result = await fn({ input, form, ...acting });
      if (typeof result === 'string') return { ok: true, message: result };
      return result ?? { ok: true, message: 'Saved.' };
    } catch (error) {
      // formFailure rethrows anything that is not a user mistake (incl. Next's redirect signal).
      return formFailure(error, options.conflictField, form);
    }
  };
}

/**
 * A non-form action (a button that returns data): signed out → /signin, without the capability →
 * /forbidden; `fn` gets the acting principal, database and audit context plus the call's arguments.
 */
export function authCall<Args extends unknown[], R>(
  options: { capability: Capability },
  fn: (ctx: Omit<ActionContext<undefined>, 'input' | 'form'>, ...args: Args) => Promise<R>,
): (...args: Args) => Promise<R> {
  return async (...args) => {
    const acting = await actingPrincipal(options.capability);
    if ('forbidden' in acting) redirect('/forbidden');
    return fn(acting, ...args);
  };
}
