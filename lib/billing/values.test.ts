import { describe, expect, it } from 'vitest';
import { CellError, isNullToken, normaliseChargeFrequency, parseChargeCategory, parseDateTime, parseDecimal, parseTags } from './values';

describe('parseDecimal', () => {
  it.each([
    ['1.50', '1.50'],
    [' 0.00 ', '0.00'],
    ['"$10,000.00 "'.slice(1, -1), '10000.00'],
    ['-3', '-3'],
    ['(12.5)', '-12.5'],
    ['1.5E-3', '0.0015'],
    ['2e3', '2000'],
    ['.5', '0.5'],
    ['007', '7'],
    ['-0.000', '0.000'],
    ['0.0000000072922557592391990000', '0.0000000072922557592391990000'],
  ])('%s → %s', (raw, expected) => expect(parseDecimal(raw)).toBe(expected));

  it('takes Parquet doubles by their shortest exact form', () => {
    expect(parseDecimal(0.1)).toBe('0.1');
    expect(parseDecimal(123456789012n)).toBe('123456789012');
  });

  it.each(['twelve', '1,2', '1.2.3', '', '--1', '1e', 'NaN'])('rejects %j', (raw) => expect(() => parseDecimal(raw)).toThrow(CellError));
  it('rejects digits it would have to round', () => expect(() => parseDecimal(`0.${'0'.repeat(30)}1`)).toThrow(/30 decimal places/));
});

describe('parseDateTime', () => {
  it.each([
    ['2024-09-01T00:00:00Z', '2024-09-01T00:00:00.000Z'],
    ['2024-09-01 00:00:00', '2024-09-01T00:00:00.000Z'],
    ['2024-09-01', '2024-09-01T00:00:00.000Z'],
    ['2024-09-01T02:00:00+02:00', '2024-09-01T00:00:00.000Z'],
    ['2024-09-01T00:00:00.123456Z', '2024-09-01T00:00:00.123Z'],
    ['5/1/25', '2025-05-01T00:00:00.000Z'],
    ['09/30/2023', '2023-09-30T00:00:00.000Z'],
  ])('%s', (raw, expected) => expect(parseDateTime(raw).toISOString()).toBe(expected));

  it.each(['2023-02-01T30:00:00Z', '2024-02-30', '2024-13-01', 'yesterday', '31/12/2024'])('rejects %s', (raw) => expect(() => parseDateTime(raw)).toThrow(CellError));
});

describe('enumerations, nulls and tags', () => {
  it('normalises case of ChargeCategory and ChargeFrequency', () => {
    expect(parseChargeCategory('usage')).toBe('Usage');
    expect(() => parseChargeCategory('Refund')).toThrow(CellError);
    expect(normaliseChargeFrequency('Usage-based')).toBe('Usage-Based');
    expect(normaliseChargeFrequency('Hourly')).toBe('Hourly');
  });

  it('treats NULL, null, empty and None as null', () => {
    for (const v of ['NULL', 'null', '', '  ', 'None', undefined, null]) expect(isNullToken(v)).toBe(true);
    expect(isNullToken('0')).toBe(false);
  });

  it('parses JSON tags, trimming keys, stringifying values', () => {
    expect(parseTags('{" project": "shop", "n": 3, "empty": null}')).toEqual({ project: 'shop', n: '3', empty: '' });
    expect(() => parseTags('[1]')).toThrow(CellError);
    expect(() => parseTags('not json')).toThrow(CellError);
  });
});
