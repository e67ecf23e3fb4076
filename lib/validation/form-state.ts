// What a server action returns to its form: a message for the aria-live region and field-level
// errors keyed by input name. User mistakes become a FormState; anything else is rethrown.
import { DomainError, ValidationError } from '../errors';
import { fieldErrorMap } from './input';

export type FormState =
  | {
      ok: true;
      message: string;
      /** What the action made that the form shows once (e.g. a new API token). */
      data?: Record<string, string | number | boolean | null>;
      errors?: undefined;
      values?: undefined;
    }
  | {
      ok: false;
      message: string;
      errors: Record<string, string>;
      /** What was submitted (never passwords), so the form can show it again: React resets forms after an action. */
      values?: Record<string, string>;
    }
  | null;

const SECRET_FIELD = /password|confirm|secret|token/i;

/** The submitted values to echo back; repeated names (checkboxes) are joined with ",". */
export function submittedValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key of new Set(form.keys())) {
    if (key.startsWith('$') || SECRET_FIELD.test(key)) continue;
    values[key] = form.getAll(key).filter((v): v is string => typeof v === 'string').join(',');
  }
  return values;
}

/**
 * A DomainError as form state. `conflictField` names the input a 409 is about (the unique key),
 * so "already exists" shows next to it.
 */
export function formFailure(error: unknown, conflictField?: string, form?: FormData): FormState {
  const values = form ? submittedValues(form) : undefined;
  if (error instanceof ValidationError) {
    const errors = fieldErrorMap(error.issues);
    return { ok: false, message: Object.keys(errors).length ? 'Please correct the highlighted fields.' : error.message, errors, values };
  }
  if (error instanceof DomainError) {
    return { ok: false, message: error.message, errors: error.status === 409 && conflictField ? { [conflictField]: error.message } : {}, values };
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
