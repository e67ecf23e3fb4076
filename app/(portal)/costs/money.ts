// Display of exact decimal strings as money: Intl formats the string itself (no float round-trip).
export function money(value: string, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(
      value as `${number}`,
    );
  } catch {
    return `${value} ${currency}`;
  }
}
