import { describe, expect, it } from 'vitest';
import { auditFilterSchema, compactFilterInput, diffAuditValues } from './query';

describe('audit query helpers', () => {
  it('drops blank form values and keeps the first of repeated ones', () => {
    expect(compactFilterInput({ actor: ' ', action: 'project.', from: '', to: undefined, limit: ['20', '30'] })).toEqual({ action: 'project.', limit: '20' });
  });

  it('treats a bare `to` date as the end of that day', () => {
    expect(auditFilterSchema.parse({ to: '2025-03-02' }).to?.toISOString()).toBe('2025-03-02T23:59:59.999Z');
    expect(auditFilterSchema.parse({ to: '2025-03-02T10:00:00Z' }).to?.toISOString()).toBe('2025-03-02T10:00:00.000Z');
    expect(auditFilterSchema.parse({}).limit).toBe(50);
  });

  it('refuses impossible or out-of-range dates and cursors as field errors (issue 10 defect 4)', () => {
    const field = (input: Record<string, string>) => auditFilterSchema.safeParse(input).error?.issues[0]?.path.join('/');
    expect(field({ to: '2026-13-45' })).toBe('to');
    expect(field({ to: '2026-02-30' })).toBe('to');
    expect(field({ from: '0000-01-01' })).toBe('from');
    expect(field({ from: '+275760-09-13T00:00:00Z' })).toBe('from');
    expect(field({ from: 'yesterday' })).toBe('from');
    expect(field({ cursor: '99999999999999999999999' })).toBe('cursor');
    expect(field({ cursor: '9223372036854775808' })).toBe('cursor');
    expect(field({ cursor: '-1' })).toBe('cursor');
    expect(field({ cursor: '0' })).toBe('cursor');
    expect(auditFilterSchema.parse({ cursor: '9223372036854775807' }).cursor).toBe(9223372036854775807n);
    expect(auditFilterSchema.parse({ from: '2024-02-29', to: '2024-02-29T12:00:00+02:00' })).toMatchObject({
      from: new Date('2024-02-29T00:00:00Z'),
      to: new Date('2024-02-29T10:00:00Z'),
    });
  });

  it('diffs before/after per field', () => {
    expect(diffAuditValues({ name: 'One', enabled: true, settings: { region: 'a' } }, { name: 'Uno', enabled: true, settings: { region: 'b', zone: 'z' } })).toEqual([
      { path: 'enabled', kind: 'unchanged', before: true, after: true },
      { path: 'name', kind: 'changed', before: 'One', after: 'Uno' },
      { path: 'settings.region', kind: 'changed', before: 'a', after: 'b' },
      { path: 'settings.zone', kind: 'added', after: 'z' },
    ]);
    expect(diffAuditValues(null, { name: 'x' })).toEqual([{ path: 'name', kind: 'added', after: 'x' }]);
    expect(diffAuditValues({ name: 'x' }, null)).toEqual([{ path: 'name', kind: 'removed', before: 'x' }]);
    expect(diffAuditValues(null, null)).toEqual([]);
    expect(diffAuditValues(['a'], ['a', 'b'])).toEqual([{ path: '(value)', kind: 'changed', before: ['a'], after: ['a', 'b'] }]);
  });
});
