// Test and benchmark support: FOCUS CSV text from plain row objects.
export interface FocusTestRow {
  provider: string;
  account?: string;
  /** ISO date-time of the charge period start; the charge lasts `hours` (default 1). */
  start: string;
  hours?: number;
  billed: string;
  effective?: string;
  currency?: string;
  region?: string;
  service?: string;
  serviceCategory?: string;
  subAccount?: string;
  resourceId?: string;
  category?: string;
  tags?: Record<string, string>;
}

export const FOCUS_TEST_HEADER = [
  'BillingAccountId', 'BillingPeriodStart', 'BillingPeriodEnd', 'ChargePeriodStart', 'ChargePeriodEnd', 'ChargeCategory',
  'BilledCost', 'EffectiveCost', 'BillingCurrency', 'ProviderName', 'RegionId', 'ServiceCategory', 'ServiceName',
  'SubAccountId', 'ResourceId', 'Tags',
].join(',');

const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function focusCsv(rows: FocusTestRow[]): string {
  const lines = [FOCUS_TEST_HEADER];
  for (const r of rows) {
    const start = new Date(r.start);
    const end = new Date(start.getTime() + (r.hours ?? 1) * 3_600_000);
    const periodStart = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1));
    const periodEnd = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    lines.push(
      [
        r.account ?? 'ACC', periodStart.toISOString(), periodEnd.toISOString(), start.toISOString(), end.toISOString(), r.category ?? 'Usage',
        r.billed, r.effective ?? r.billed, r.currency ?? 'USD', r.provider, r.region ?? '', r.serviceCategory ?? 'Compute', r.service ?? 'VMs',
        r.subAccount ?? '', r.resourceId ?? '', r.tags ? JSON.stringify(r.tags) : '',
      ]
        .map((v) => quote(String(v)))
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
