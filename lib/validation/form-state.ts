// What a server action returns to its form: a message for the aria-live region and field-level
// errors keyed by input name. User mistakes become a FormState; anything else is rethrown.
import { DomainError, ValidationError } from '../errors';
import { fieldErrorMap } from './input';

export type FormState = { ok: true; message: string; errors?: undefined } | { ok: false; message: string; errors: Record<string, string> } | null;

/**
 * A DomainError as form state. `conflictField` names the input a 409 is about (the unique key),
 * so "already exists" shows next to it.
 */
export function formFailure(error: unknown, conflictField?: string): FormState {
  if (error instanceof ValidationError) {
    const errors = fieldErrorMap(error.issues);
    return { ok: false, message: Object.keys(errors).length ? 'Please correct the highlighted fields.' : error.message, errors };
  }
  if (error instanceof DomainError) {
    return { ok: false, message: error.message, errors: error.status === 409 && conflictField ? { [conflictField]: error.message } : {} };
  }
  throw error;
}

/** A form value as a string ('' when absent). */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

/** '' → null (unlimited / not set), otherwise a number (NaN is left for the schema to reject). */
export function formNumberOrNull(form: FormData, name: string): number | null {
  const value = formText(form, name).trim();
  return value === '' ? null : Number(value);
}
