// Exact decimal helpers for money. Sums are done in PostgreSQL `numeric`; JS only formats and
// scales them with Prisma's Decimal (decimal.js), never with floats.
import { Prisma } from '@/generated/prisma/client';

const DAY_MS = 86_400_000;
/** decimal.js rounds to 20 significant digits by default; cost rows carry up to 65. */
export const Decimal = Prisma.Decimal.clone({ precision: 100 });

/** Trim trailing zeros of a decimal string but keep at least `minScale` decimals ("3.2500" → "3.25"). */
export function formatDecimal(value: string | null | undefined, minScale = 2): string {
  const d = new Decimal(value ?? '0');
  const plain = d.toFixed();
  const [int, frac = ''] = plain.split('.');
  const trimmed = frac.replace(/0+$/, '');
  const scale = Math.max(minScale, trimmed.length);
  return scale === 0 ? int! : `${int}.${trimmed.padEnd(scale, '0')}`;
}

export function addDecimals(a: string, b: string): string {
  return new Decimal(a).plus(b).toFixed();
}

/** [first day of the month of `at`, first day of the next month) in UTC. */
export function monthBounds(at: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { start, end };
}

/**
 * Forecast to month end, linear run-rate: month-to-date ÷ days elapsed (today, UTC, counts as an
 * elapsed day) × days in the month, rounded to cents. Simple and explainable; one-time purchases
 * inflate it, which is why budgets alert on actual and forecast separately.
 */
export function forecastMonthEnd(monthToDate: string, at: Date): string {
  const { start, end } = monthBounds(at);
  const daysInMonth = Math.round((end.getTime() - start.getTime()) / DAY_MS);
  const elapsed = Math.min(daysInMonth, Math.max(1, at.getUTCDate()));
  return new Decimal(monthToDate).div(elapsed).mul(daysInMonth).toFixed(2);
}

/** Percentage (0–∞) of `amount` in `budget`, as a number only for threshold comparison. */
export function percentOf(amount: string, budget: string): number {
  const b = new Decimal(budget);
  if (b.lte(0)) return 0;
  return new Decimal(amount).div(b).mul(100).toNumber();
}
