import { describe, expect, it } from 'vitest';
import { csvCell } from './export';
import { FIRST_PAGE, inventoryHref, parseListState } from './url-state';

describe('inventory URL state', () => {
  it('keeps valid filters and drops invalid ones instead of failing the page', () => {
    const { query, trail } = parseListState({ provider: 'aws', state: 'gone', limit: '9999', sort: '-lease', managed: 'false', q: ['web', 'ignored'], trail: `${FIRST_PAGE}.abc` });
    expect(query).toMatchObject({ provider: 'aws', sort: '-lease', managed: false, q: 'web', limit: 50 });
    expect(query.state).toBeUndefined();
    expect(trail).toEqual([FIRST_PAGE, 'abc']);
  });
  it('builds shareable links: changing sort drops the cursor, defaults stay out of the URL', () => {
    const { query } = parseListState({ provider: 'gcp', cursor: 'xyz', limit: '25' });
    expect(inventoryHref(query, { sort: '-name', cursor: undefined })).toBe('/inventory?provider=gcp&limit=25&sort=-name');
    expect(inventoryHref({ managed: false })).toBe('/inventory?managed=false');
    expect(inventoryHref(query, { cursor: 'next' }, [FIRST_PAGE])).toBe('/inventory?provider=gcp&limit=25&cursor=next&trail=0');
  });
});

describe('CSV cells', () => {
  it('quotes separators and neutralizes spreadsheet formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(null)).toBe('');
    expect(csvCell(4)).toBe('4');
  });
});
