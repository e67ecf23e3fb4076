// A template's typed parameters (string/number/enum/boolean with limits) applied to the values a
// request sends: defaults filled in, unknown names refused, every problem reported per field.
import type { FieldIssue } from '../errors';
import { parameterValueProblem, type TemplateParameter } from './schemas';

/** Form values arrive as strings; the API sends JSON types. Both are accepted. */
function coerce(p: TemplateParameter, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (p.type === 'number') return value.trim() === '' ? undefined : Number(value);
  if (p.type === 'boolean') return value === 'true' || value === 'on' ? true : value === 'false' || value === '' ? false : value;
  if (p.type === 'enum' && value === '') return undefined;
  return value;
}

/**
 * Validated parameter values (with defaults) or field issues under `prefix` (e.g.
 * "body/parameters/environment").
 */
export function parseParameterValues(
  parameters: readonly TemplateParameter[],
  input: Record<string, unknown> | undefined,
  prefix = 'body/parameters',
): { values: Record<string, string | number | boolean>; issues: FieldIssue[] } {
  const values: Record<string, string | number | boolean> = {};
  const issues: FieldIssue[] = [];
  const given = input ?? {};
  for (const name of Object.keys(given)) {
    if (!parameters.some((p) => p.name === name)) issues.push({ field: `${prefix}/${name}`, message: 'This template has no such parameter.' });
  }
  for (const p of parameters) {
    const raw = coerce(p, given[p.name]);
    const value = raw === undefined || raw === null || raw === '' ? p.default : raw;
    if (value === undefined || value === '') {
      if (p.required) issues.push({ field: `${prefix}/${p.name}`, message: `${p.label} is required.` });
      continue;
    }
    const problem = parameterValueProblem(p, value);
    if (problem) issues.push({ field: `${prefix}/${p.name}`, message: `${p.label} ${problem}` });
    else values[p.name] = value as string | number | boolean;
  }
  return { values, issues };
}
