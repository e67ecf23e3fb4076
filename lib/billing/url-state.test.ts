import { describe, expect, it } from 'vitest';
import { explorerHref, parseExplorerState } from './url-state';

const now = new Date('2026-03-15T10:00:00Z');

describe('cost explorer URL state', () => {
  it('defaults to this month, by provider, effective cost', () => {
    const s = parseExplorerState({}, now);
    expect(s).toMatchObject({ filters: { start: '2026-03-01', end: '2026-04-01' }, groupBy: 'provider', pivot: undefined, metric: 'effective', page: 1, items: false, problem: null });
    expect(explorerHref(s, {})).toBe('/costs?start=2026-03-01&end=2026-04-01');
  });

  it('keeps filters, drops blank form fields, and round-trips through the href', () => {
    const s = parseExplorerState({ start: '2026-01-01', end: '2026-02-01', provider: 'AWS', tagKey: '', region: '', groupBy: 'service', pivot: 'project', metric: 'billed', items: '1', page: '3' }, now);
    expect(s.filters).toEqual({ start: '2026-01-01', end: '2026-02-01', provider: 'AWS' });
    const href = explorerHref(s, { page: undefined, resourceId: 'i-1' });
    expect(href).toBe('/costs?start=2026-01-01&end=2026-02-01&groupBy=service&pivot=project&metric=billed&items=1&provider=AWS&resourceId=i-1');
  });

  it('falls back on invalid input and says so, never throws', () => {
    const s = parseExplorerState({ start: '2026-02-30', end: 'soon', groupBy: 'nope', page: '-4' }, now);
    expect(s.filters).toEqual({ start: '2026-03-01', end: '2026-04-01' });
    expect(s.problem).toMatch(/Ignored an invalid filter/);
    expect(s.groupBy).toBe('provider');
    expect(s.page).toBe(1);
    expect(parseExplorerState({ groupBy: 'tag' }, now).groupBy).toBe('provider'); // tag needs a tagKey
  });
});
