import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '../errors';
import { formFailure, formNumberOrNull, submittedValues } from './form-state';
import { fieldErrorMap, invalidField, isUniqueViolation } from './input';

describe('form state', () => {
  it('maps "body/" field issues to input names, first message wins', () => {
    expect(
      fieldErrorMap([
        { field: 'body/name', message: 'Name is required' },
        { field: 'body/name', message: 'second' },
        { field: 'query/page', message: 'bad page' },
      ]),
    ).toEqual({ name: 'Name is required', 'query/page': 'bad page' });
    expect(invalidField('ownerId', 'No such user').issues).toEqual([{ field: 'body/ownerId', message: 'No such user' }]);
  });

  it('echoes submitted values without passwords, joining repeated names', () => {
    const form = new FormData();
    form.append('email', 'a@b.c');
    form.append('roles', 'requester');
    form.append('roles', 'admin');
    form.append('password', 'secret-value');
    form.append('confirm', 'secret-value');
    form.append('$ACTION_ID_x', '');
    expect(submittedValues(form)).toEqual({ email: 'a@b.c', roles: 'requester,admin' });
  });

  it('turns validation and domain errors into form state, and rethrows anything else', () => {
    const form = new FormData();
    form.append('key', 'Bad Key');
    expect(formFailure(new ValidationError([{ field: 'body/key', message: 'Use lowercase' }]), undefined, form)).toEqual({
      ok: false,
      message: 'Please correct the highlighted fields.',
      errors: { key: 'Use lowercase' },
      values: { key: 'Bad Key' },
    });
    expect(formFailure(new ConflictError('Key taken'), 'key')).toMatchObject({ ok: false, message: 'Key taken', errors: { key: 'Key taken' } });
    expect(formFailure(new ForbiddenError())).toMatchObject({ ok: false, errors: {} });
    expect(() => formFailure(new Error('boom'))).toThrow('boom');
  });

  it('parses optional numbers and recognises unique violations', () => {
    const form = new FormData();
    form.append('a', '');
    form.append('b', '12');
    form.append('c', 'x');
    expect(formNumberOrNull(form, 'a')).toBeNull();
    expect(formNumberOrNull(form, 'b')).toBe(12);
    expect(formNumberOrNull(form, 'c')).toBeNaN();
    expect(isUniqueViolation({ code: 'P2002' })).toBe(true);
    expect(isUniqueViolation(new Error('x'))).toBe(false);
  });
});
