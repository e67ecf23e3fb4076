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
