// Native Azure EA / MCA cost exports (actual or amortized; not FOCUS) mapped to FOCUS columns,
// following finopsfoundation/focus_converters' Azure rules. Detected by their headers.
import { AZURE_SERVICE_CATEGORIES } from './azure-service-categories';

export type AzureCostKind = 'actual' | 'amortized';

const lower = (headers: string[]) => new Set(headers.map((h) => h.replace(/^\uFEFF/, '').trim().toLowerCase()));

export function isAzureNativeExport(headers: string[]): boolean {
  const h = lower(headers);
  return !h.has('billedcost') && h.has('metercategory') && (h.has('cost') || h.has('costinbillingcurrency')) && h.has('date');
}

const COMMITMENT_MODELS = new Set(['reservation', 'savingsplan']);
const FREQUENCIES: Record<string, string> = { onetime: 'One-Time', recurring: 'Recurring', usagebased: 'Usage-Based' };
const PRICING: Record<string, string> = { ondemand: 'Standard', spot: 'Dynamic', reservation: 'Committed', savingsplan: 'Committed' };

function usDate(v: string): Date | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v.trim());
  if (m) return new Date(Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2])));
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(v.trim());
  return iso ? new Date(Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]))) : null;
}
const plusDay = (d: Date | null) => (d ? new Date(d.getTime() + 86_400_000).toISOString() : '');

/** Azure writes Tags as `"k": "v","k2": "v2"` (an object without braces). */
function azureTags(raw: string): string {
  const t = raw.trim();
  if (!t) return '';
  return t.startsWith('{') ? t : `{${t}}`;
}

/**
 * One Azure row → FOCUS-named row (strings). Actual cost: a reservation purchase is billed now and
 * amortised later, so its EffectiveCost is 0. Amortized cost: usage covered by a commitment was
 * paid by the purchase, so its BilledCost is 0 and its EffectiveCost is the amortised share.
 */
export function mapAzureRow(row: Record<string, string>, kind: AzureCostKind): Record<string, string> {
  const get = (name: string) => {
    for (const [k, v] of Object.entries(row)) if (k.replace(/^\uFEFF/, '').trim().toLowerCase() === name) return v ?? '';
    return '';
  };
  const cost = get('costinbillingcurrency') || get('cost');
  const chargeType = get('chargetype').toLowerCase();
  const model = get('pricingmodel').toLowerCase();
  const category =
    chargeType === 'usage' || chargeType === 'unusedreservation' || chargeType === 'unusedsavingsplan'
      ? 'Usage'
      : chargeType === 'purchase'
        ? 'Purchase'
        : chargeType === 'tax'
          ? 'Tax'
          : 'Adjustment';
  const committed = COMMITMENT_MODELS.has(model);
  const billed = kind === 'amortized' && committed && category === 'Usage' ? '0' : cost;
  const effective = kind === 'actual' && committed && category === 'Purchase' ? '0' : cost;
  const benefit = get('benefitid').toLowerCase();
  const day = usDate(get('date'));
  const consumed = get('consumedservice');
  const out: Record<string, string> = {
    BillingAccountId: get('billingaccountid'),
    BillingAccountName: get('billingaccountname'),
    BillingPeriodStart: usDate(get('billingperiodstartdate'))?.toISOString() ?? get('billingperiodstartdate'),
    BillingPeriodEnd: plusDay(usDate(get('billingperiodenddate'))) || get('billingperiodenddate'),
    ChargePeriodStart: day?.toISOString() ?? get('date'),
    ChargePeriodEnd: plusDay(day) || get('date'),
    ChargeCategory: category,
    ChargeDescription: get('productname') || get('product'),
    ChargeFrequency: FREQUENCIES[get('frequency').toLowerCase()] ?? get('frequency'),
    PricingCategory: PRICING[model] ?? '',
    BilledCost: billed,
    EffectiveCost: effective,
    BillingCurrency: get('billingcurrencycode') || get('billingcurrency'),
    ConsumedQuantity: get('quantity'),
    ConsumedUnit: get('unitofmeasure'),
    ListUnitPrice: get('paygprice'),
    ProviderName: 'Microsoft',
    PublisherName: get('publishername') || 'Microsoft',
    InvoiceIssuerName: 'Microsoft',
    RegionId: get('resourcelocation').toLowerCase(),
    RegionName: get('meterregion'),
    AvailabilityZone: get('availabilityzone'),
    ResourceId: get('resourceid'),
    ResourceName: get('resourcename'),
    ServiceCategory: AZURE_SERVICE_CATEGORIES[consumed.toLowerCase()] ?? 'Other',
    ServiceName: get('metercategory') || consumed,
    SkuId: get('partnumber'),
    SubAccountId: get('subscriptionid'),
    SubAccountName: get('subscriptionname'),
    CommitmentDiscountId: get('benefitid'),
    CommitmentDiscountName: get('benefitname'),
    CommitmentDiscountCategory: benefit.includes('/microsoft.capacity/') ? 'Usage' : benefit.includes('/microsoft.billingbenefits/') ? 'Spend' : '',
    CommitmentDiscountType: benefit.includes('/microsoft.capacity/') ? 'Reservation' : benefit.includes('/microsoft.billingbenefits/') ? 'Savings Plan' : '',
    Tags: azureTags(get('tags')),
  };
  // The native columns are kept too (CostRecord.extra), prefixed so they never clash with FOCUS.
  for (const [k, v] of Object.entries(row)) out[`x_Azure${k.replace(/^\uFEFF/, '').trim()}`] = v ?? '';
  return out;
}
