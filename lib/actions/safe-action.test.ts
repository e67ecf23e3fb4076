// authAction: the form is parsed by the schema's field types, NUL characters and zod issues become
// field errors, DomainErrors become messages (409 next to the conflict field), strings are success
// messages, and nothing runs without the capability.
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Db } from '../db/client';
import { ConflictError, NotFoundError } from '../errors';
import { createTestDatabase } from '../testing/db';
import { sessionCookie } from '../testing/session';
import { formInput } from '../validation/input';
import { authAction, authCall, setActionRequestSource } from './safe-action';

const schema = z.object({
  name: z.string().trim().min(1, 'Name is required').max(20),
  count: z.number().int().min(0).max(10).nullable().default(null),
  tags: z.array(z.string().max(10)).max(3),
  enabled: z.boolean(),
});

const form = (entries: [string, string][]) => {
  const data = new FormData();
  for (const [k, v] of entries) data.append(k, v);
  return data;
};

let db: Db;
beforeAll(async () => {
  ({ db } = await createTestDatabase());
  const admin = await db.user.create({ data: { email: 'wrap@test.skyport', name: 'Wrap', roles: ['admin'] } });
  const cookie = await sessionCookie(admin.id);
  setActionRequestSource({ db: () => db, headers: async () => new Headers({ cookie, 'x-request-id': 'wrap-1' }) });
});

describe('formInput', () => {
  it('reads each field by its schema type', () => {
    expect(formInput(schema, form([['name', ' a '], ['count', '3'], ['tags', 'x'], ['tags', 'y'], ['enabled', 'on'], ['$ACTION_ID_1', '']]))).toEqual({
      name: ' a ',
      count: 3,
      tags: ['x', 'y'],
      enabled: true,
    });
    expect(formInput(schema, form([['name', 'b'], ['count', '']]))).toEqual({ name: 'b', count: null, tags: [], enabled: false });
  });
});

describe('authAction', () => {
  it('passes parsed input, principal and audit context; a string is the success message', async () => {
    const action = authAction({ capability: 'admin:users', schema }, async ({ input, principal, audit }) => {
      expect(principal.email).toBe('wrap@test.skyport');
      expect(audit.requestId).toBe('wrap-1');
      return `saved ${input.name} ${input.count} ${input.tags.join('+')} ${input.enabled}`;
    });
    expect(await action(null, form([['name', ' n '], ['count', '2'], ['tags', 'a'], ['enabled', 'on']]))).toEqual({ ok: true, message: 'saved n 2 a true' });
  });

  it('zod issues and NUL characters become field errors; the values are echoed back; fn does not run', async () => {
    let ran = false;
    const action = authAction({ capability: 'admin:users', schema }, async () => {
      ran = true;
    });
    const invalid = await action(null, form([['name', ''], ['count', '99']]));
    expect(invalid).toMatchObject({ ok: false, errors: { name: 'Name is required', count: expect.any(String) }, values: { name: '', count: '99' } });
    const nul = await action(null, form([['name', 'a\u0000b']]));
    expect(nul).toMatchObject({ ok: false, errors: { name: expect.stringMatching(/NUL/) } });
    const nulElsewhere = await action(null, form([['name', 'ok'], ['settings.host', 'h\u0000']]));
    expect(nulElsewhere).toMatchObject({ ok: false, errors: { 'settings.host': expect.stringMatching(/NUL/) } });
    expect(ran).toBe(false);
  });

  it('DomainErrors become messages; a 409 shows next to the conflict field; other errors propagate', async () => {
    const conflict = authAction({ capability: 'admin:users', schema: z.object({}), conflictField: 'email' }, async () => {
      throw new ConflictError('That e-mail is taken.');
    });
    expect(await conflict(null, form([]))).toMatchObject({ ok: false, message: 'That e-mail is taken.', errors: { email: 'That e-mail is taken.' } });
    const missing = authAction({ capability: 'admin:users', schema: z.object({}) }, async () => {
      throw new NotFoundError('User');
    });
    expect(await missing(null, form([]))).toMatchObject({ ok: false, message: 'User was not found.' });
    const bug = authAction({ capability: 'admin:users', schema: z.object({}) }, async () => {
      throw new TypeError('a bug');
    });
    await expect(bug(null, form([]))).rejects.toThrow('a bug');
  });

  it('authCall passes its arguments through', async () => {
    const call = authCall({ capability: 'admin:users' }, async ({ principal }, a: string, b: number) => `${principal.email} ${a} ${b}`);
    expect(await call('x', 2)).toBe('wrap@test.skyport x 2');
  });
});
