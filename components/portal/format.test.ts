import { describe, expect, it } from 'vitest';
import { formatMemory, formatShape } from './format';

describe('formatMemory', () => {
  it.each([
    [32, '32 MiB'],
    [512, '512 MiB'],
    [1023, '1023 MiB'],
    [1024, '1 GiB'],
    [1536, '1.5 GiB'],
    [3584, '3.5 GiB'],
    [3840, '3.75 GiB'],
    [4096, '4 GiB'],
    [262144, '256 GiB'],
    [null, '—'],
    [undefined, '—'],
  ])('%s MiB → %s', (mib, shown) => {
    expect(formatMemory(mib)).toBe(shown);
  });

  it('shows vCPU and memory together, never "— / —" when one is known', () => {
    expect(formatShape(2, 32)).toBe('2 vCPU · 32 MiB');
    expect(formatShape(null, 4096)).toBe('— · 4 GiB');
    expect(formatShape(null, null)).toBe('—');
  });
});
