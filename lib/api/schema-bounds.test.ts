// Every string and array a client can send to any operation has a maximum (issue 10 defect 5).
// Iterates ALL_OPERATIONS, so operations added later are held to it; the failure names each one.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ALL_OPERATIONS } from './operations';
import { unboundedFields } from './schema-bounds';

describe('input bounds', () => {
  it('the walker finds unbounded strings, arrays and record keys, through wrappers', () => {
    const schema = z.object({
      ok: z.string().max(5),
      id: z.string().uuid(),
      name: z.string().trim().optional(),
      tags: z.array(z.string().max(5)),
      nested: z.object({ list: z.array(z.string()).max(3).default([]) }),
      map: z.record(z.string(), z.number()),
      piped: z.string().transform((v) => v.length),
      either: z.union([z.number(), z.string().email()]),
    });
    expect(unboundedFields(schema, 'body').sort()).toEqual(
      [
        'body/name: string without .max()',
        'body/tags: array without .max()',
        'body/nested/list/[]: string without .max()',
        'body/map/{key}: string without .max()',
        'body/piped: string without .max()',
        'body/either: string without .max()',
      ].sort(),
    );
  });

  it('every operation: every string and array in params, query and body has a maximum', () => {
    const problems = ALL_OPERATIONS.flatMap((op) =>
      [...unboundedFields(op.params, 'path'), ...unboundedFields(op.query, 'query'), ...unboundedFields(op.body, 'body')].map(
        (field) => `${op.operationId} (${op.method} ${op.path}) ${field}`,
      ),
    );
    expect(problems, `Unbounded input fields — add .max(...):\n${problems.join('\n')}`).toEqual([]);
  });
});
