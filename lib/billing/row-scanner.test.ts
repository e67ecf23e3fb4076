// The typed COPY's byte scanner: rows and cells as PostgreSQL's CSV COPY reads them, whatever the
// chunk boundaries, and a refusal for every cell COPY would store differently from the row path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CellKind, type LinkCells, RowScanner, ScanRefusal } from './row-scanner';

const { Text, Number: Num, Date: Day, Tags, None } = CellKind;
const KINDS = [Text, Day, Num, Text, Tags, None];
const columns = { kinds: KINDS, resourceId: 3, tags: 4 };

/** A resolver that names the pair it was asked for, and counts its calls. */
function resolver() {
  const calls: [string | null, string | null][] = [];
  const resolve = (rid: string | null, tags: string | null): LinkCells => {
    calls.push([rid, tags]);
    return { suffix: Buffer.from(`,vm-${rid ?? 'none'},p,a\n`), tags: tags === null ? Buffer.from('"{}"') : null };
  };
  return { calls, resolve };
}

function scan(text: string, chunks: number[] = [], nullToken = '') {
  const { calls, resolve } = resolver();
  const scanner = new RowScanner(columns, nullToken, resolve);
  const bytes = Buffer.from(text, 'utf8');
  const out: Buffer[] = [];
  let at = 0;
  for (const size of chunks) {
    out.push(scanner.push(bytes.subarray(at, at + size)));
    at += size;
  }
  out.push(scanner.push(bytes.subarray(at)), scanner.end());
  return { out: Buffer.concat(out).toString('utf8'), rows: scanner.rows, calls };
}

const ROW = 'acc,2024-09-01T00:00:00Z,1.5,i-1,"{""a"": ""b""}",x';

describe('RowScanner', () => {
  it('appends the link cells to every row, skips blank lines and takes CRLF, quoted commas and quoted newlines', () => {
    const text = `${ROW}\r\n\r\nacc,2024-09-01,2,i-2,"{""note"": ""a,\nb""}",y\n\n${ROW}`;
    const { out, rows, calls } = scan(text);
    expect(rows).toBe(3);
    expect(out).toBe(
      `${ROW},vm-i-1,p,a\nacc,2024-09-01,2,i-2,"{""note"": ""a,\nb""}",y,vm-i-2,p,a\n${ROW},vm-i-1,p,a\n`,
    );
    // One resolution per distinct (ResourceId, Tags), with the cells' values as COPY reads them.
    expect(calls).toEqual([
      ['i-1', '{"a": "b"}'],
      ['i-2', '{"note": "a,\nb"}'],
    ]);
  });

  it('tells apart cells whose bytes differ where the cache key does not look', () => {
    // Tags that differ in one byte each, in every position of the sampled JSON: ten resolutions, ten links.
    const rows = 'abcdefghij'.split('').map((c, i) => `acc,2024-09-01,1,i-1,"{""key"": ""${'x'.repeat(i)}${c}${'x'.repeat(9 - i)}""}",x`);
    const { calls, resolve } = resolver();
    const scanner = new RowScanner(columns, '', (rid, tags) => ({ ...resolve(rid, tags), suffix: Buffer.from(`,${tags!.slice(9, 19)}\n`) }));
    const once = scanner.push(Buffer.from(`${rows.join('\n')}\n`)).toString();
    const twice = scanner.push(Buffer.from(`${rows.join('\n')}\n`)).toString();
    expect(calls).toHaveLength(10);
    expect(twice).toBe(once);
    expect(once.split('\n').slice(0, 2)).toEqual([`${rows[0]},axxxxxxxxx`, `${rows[1]},xbxxxxxxxx`]);
  });

  it('writes the resolver’s Tags cell in place of a null Tags cell', () => {
    const { out } = scan('acc,2024-09-01,1,i-1,,x\n');
    expect(out).toBe('acc,2024-09-01,1,i-1,"{}",x,vm-i-1,p,a\n');
  });

  it('writes into the caller’s buffer when the rows fit, into a new one when they do not, with the same bytes', () => {
    const text = `${Array.from({ length: 50 }, (_, i) => `acc,2024-09-01,${i},i-${i},"{}",x`).join('\n')}\n`;
    const bytes = Buffer.from(text, 'utf8');
    const expected = scan(text).out;
    const big = Buffer.alloc(bytes.length * 2 + 8192, 0x7e);
    const intoBig = new RowScanner(columns, '', resolver().resolve).push(bytes, big);
    expect(intoBig.buffer).toBe(big.buffer);
    expect(intoBig.toString('utf8')).toBe(expected);
    // Reused: the second push overwrites the first one's rows in the same buffer.
    const scanner = new RowScanner(columns, '', resolver().resolve);
    const first = scanner.push(bytes.subarray(0, 200), big).toString('utf8');
    const second = scanner.push(bytes.subarray(200), big);
    expect(second.buffer).toBe(big.buffer);
    expect(first + second.toString('utf8')).toBe(expected);
    const small = Buffer.alloc(16);
    const grown = new RowScanner(columns, '', resolver().resolve).push(bytes, small);
    expect(grown.buffer).not.toBe(small.buffer);
    expect(grown.toString('utf8')).toBe(expected);
  });

  it('gives the same output whatever the chunk boundaries (property)', () => {
    const cell = fc.stringMatching(/^[a-z0-9 ,"\n]{0,6}$/).map((s) => `"${s.replaceAll('"', '""')}"`);
    const row = fc.tuple(cell, cell).map(([a, b]) => `acc,2024-09-01,1,i-${a.length},"{}",${a}${b}`);
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 10 }), (rows, chunks) => {
        const text = `${rows.join('\n')}\n`;
        expect(scan(text, chunks).out).toBe(scan(text).out);
      }),
    );
  });

  it.each([
    ['a ragged row', 'acc,2024-09-01,1,i-1,"{}"\n', /5 cells, the header has 6/],
    ['untrimmed text', 'acc ,2024-09-01,1,i-1,"{}",x\n', /column 1: untrimmed text/],
    ['untrimmed quoted text', '" acc",2024-09-01,1,i-1,"{}",x\n', /column 1: untrimmed text/],
    ['another null token', 'N/A,2024-09-01,1,i-1,"{}",x\n', /column 1: a null token/],
    ['money', 'acc,2024-09-01,"$1,000",i-1,"{}",x\n', /column 3: a number/],
    ['an exponent', 'acc,2024-09-01,1e5,i-1,"{}",x\n', /column 3: a number/],
    ['31 decimals', `acc,2024-09-01,0.${'1'.repeat(31)},i-1,"{}",x\n`, /column 3: a number/],
    ['a UTC offset', 'acc,2024-09-01T00:00:00+02:00,1,i-1,"{}",x\n', /column 2: a date-time .*UTC offset/],
    ['a zone name', 'acc,2024-09-01 00:00:00 CET,1,i-1,"{}",x\n', /column 2: a date-time/],
    ['sub-milliseconds', 'acc,2024-09-01T00:00:00.0001Z,1,i-1,"{}",x\n', /column 2: a date-time/],
    ['hour 24', 'acc,2024-09-01T24:00:00Z,1,i-1,"{}",x\n', /column 2: a date-time/],
    ['a month name', 'acc,Sep 1 2024,1,i-1,"{}",x\n', /column 2: a date-time/],
    ['a US date with a year PostgreSQL puts in the 1900s', 'acc,9/1/75,1,i-1,"{}",x\n', /column 2: a date-time/],
    ['an unclosed quote', 'acc,2024-09-01,1,i-1,"{}","x\n', /not closed/],
  ])('refuses %s', (_name, text, reason) => {
    expect(() => scan(text)).toThrow(ScanRefusal);
    expect(() => scan(text)).toThrow(reason);
  });

  it('accepts what COPY and the row path read alike: plain decimals, blanks around numbers, ISO and US dates, its own null token', () => {
    const rows = [
      'acc,2024-09-01 13:45,+1.,i-1,"{}",x',
      'acc,2024-09-01T13:45:59.123Z,-.5 ,i-1,"{}",x',
      'acc,9/1/24 7:05,0.00 ,i-1,"{}",x',
      'acc,12/31/2024,"7",i-1,"{}",x',
      'NULL,NULL,NULL,NULL,NULL,NULL',
      '"NULL",2024-09-01,1,i-1,"{}",x',
    ];
    expect(scan(`${rows.join('\n')}\n`, [], 'NULL').rows).toBe(6);
    // With NULL as the token an empty cell is an empty string, which the row path would null.
    expect(() => scan('acc,2024-09-01,1,,"{}",x\n', [], 'NULL')).toThrow(/column 4: an empty cell/);
  });

  it('blanks constant date cells equal to the first row’s, keeps and counts the others, refuses nulls, whatever the chunks', () => {
    // Column 1 (a date) is constant; Tags (column 4) is after it and null in row 2 (replaced by {}).
    const text = [ROW, 'acc,2024-09-01T00:00:00Z,2,i-2,,y', 'acc,"2024-09-01T00:00:00Z",3,i-1,"{""a"": ""b""}",z', 'acc,2024-10-01T00:00:00Z,4,i-1,"{""a"": ""b""}",w'].join('\n') + '\n';
    const expected = [
      'acc,,1.5,i-1,"{""a"": ""b""}",x,vm-i-1,p,a',
      'acc,,2,i-2,"{}",y,vm-i-2,p,a',
      'acc,"2024-09-01T00:00:00Z",3,i-1,"{""a"": ""b""}",z,vm-i-1,p,a', // other bytes: kept, cast later
      'acc,2024-10-01T00:00:00Z,4,i-1,"{""a"": ""b""}",w,vm-i-1,p,a',
    ].join('\n') + '\n';
    const bytes = Buffer.from(text);
    for (const cut of [0, 5, 30, 47, 60, 100]) {
      const scanner = new RowScanner({ ...columns, constants: [1] }, '', resolver().resolve);
      const out = Buffer.concat([scanner.push(bytes.subarray(0, cut)), scanner.push(bytes.subarray(cut)), scanner.end()]).toString();
      expect(out, `cut at ${cut}`).toBe(expected);
      expect(scanner.constantsKept).toBe(2);
      expect(scanner.firstValue(1)).toBe('2024-09-01T00:00:00Z');
    }
    // A constant column before the Tags cell and one after it, with the Tags cell replaced.
    const both = new RowScanner({ kinds: [Day, Tags, Day], resourceId: -1, tags: 1, constants: [0, 2] }, 'NULL', resolver().resolve);
    expect(both.push(Buffer.from('2024-09-01,NULL,2024-10-01\n2024-09-01,NULL,2024-10-01\n')).toString()).toBe('NULL,"{}",NULL,vm-none,p,a\n'.repeat(2));
    // A null would read as "the first row's value": refused, quoted too; so is a non-plain date.
    const refuse = (rows: string[], token = '') => () => new RowScanner({ ...columns, constants: [1] }, token, resolver().resolve).push(Buffer.from(`${rows.join('\n')}\n`));
    expect(refuse([ROW, 'acc,,1,i-1,"{}",x'])).toThrow(/row 2, column 2: a null/);
    expect(refuse(['acc,NULL,1,i-1,"{}",x'], 'NULL')).toThrow(/row 1, column 2: a null/);
    expect(refuse([ROW, 'acc,"NULL",1,i-1,"{}",x'], 'NULL')).toThrow(/row 2, column 2: a null/);
    expect(refuse([ROW, 'acc,2024-09-01T00:00:00+02:00,1,i-1,"{}",x'])).toThrow(/row 2, column 2: a date-time/);
  });
});
