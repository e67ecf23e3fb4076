// FOCUS 1.0–1.3 columns Skyport stores in typed CostRecord columns. Headers match case-insensitively
// (real exports mix cases); every other column of a file is kept verbatim in CostRecord.extra.
export type ColumnType = 'string' | 'decimal' | 'cost' | 'datetime' | 'tags';

export interface FocusColumn {
  /** FOCUS column name. */
  focus: string;
  /** CostRecord column. */
  db: string;
  type: ColumnType;
}

// 'cost' = a decimal where text is an error that rejects the file; 'decimal' = quantities and prices,
// where junk (a known quirk of some exports) is nulled and kept raw in extra.
export const FOCUS_COLUMNS: readonly FocusColumn[] = [
  { focus: 'BillingAccountId', db: 'billingAccountId', type: 'string' },
  { focus: 'BillingAccountName', db: 'billingAccountName', type: 'string' },
  { focus: 'SubAccountId', db: 'subAccountId', type: 'string' },
  { focus: 'SubAccountName', db: 'subAccountName', type: 'string' },
  { focus: 'InvoiceId', db: 'invoiceId', type: 'string' },
  { focus: 'BillingPeriodStart', db: 'billingPeriodStart', type: 'datetime' },
  { focus: 'BillingPeriodEnd', db: 'billingPeriodEnd', type: 'datetime' },
  { focus: 'ChargePeriodStart', db: 'chargePeriodStart', type: 'datetime' },
  { focus: 'ChargePeriodEnd', db: 'chargePeriodEnd', type: 'datetime' },
  { focus: 'ChargeCategory', db: 'chargeCategory', type: 'string' },
  { focus: 'ChargeClass', db: 'chargeClass', type: 'string' },
  { focus: 'ChargeDescription', db: 'chargeDescription', type: 'string' },
  { focus: 'ChargeFrequency', db: 'chargeFrequency', type: 'string' },
  { focus: 'PricingCategory', db: 'pricingCategory', type: 'string' },
  { focus: 'BilledCost', db: 'billedCost', type: 'cost' },
  { focus: 'EffectiveCost', db: 'effectiveCost', type: 'cost' },
  { focus: 'ListCost', db: 'listCost', type: 'cost' },
  { focus: 'ContractedCost', db: 'contractedCost', type: 'cost' },
  { focus: 'ListUnitPrice', db: 'listUnitPrice', type: 'decimal' },
  { focus: 'ContractedUnitPrice', db: 'contractedUnitPrice', type: 'decimal' },
  { focus: 'BillingCurrency', db: 'billingCurrency', type: 'string' },
  { focus: 'PricingQuantity', db: 'pricingQuantity', type: 'decimal' },
  { focus: 'PricingUnit', db: 'pricingUnit', type: 'string' },
  { focus: 'ConsumedQuantity', db: 'consumedQuantity', type: 'decimal' },
  { focus: 'ConsumedUnit', db: 'consumedUnit', type: 'string' },
  { focus: 'ProviderName', db: 'providerName', type: 'string' },
  { focus: 'PublisherName', db: 'publisherName', type: 'string' },
  { focus: 'InvoiceIssuerName', db: 'invoiceIssuerName', type: 'string' },
  { focus: 'ServiceProviderName', db: 'serviceProviderName', type: 'string' },
  { focus: 'HostProviderName', db: 'hostProviderName', type: 'string' },
  { focus: 'RegionId', db: 'regionId', type: 'string' },
  { focus: 'RegionName', db: 'regionName', type: 'string' },
  { focus: 'AvailabilityZone', db: 'availabilityZone', type: 'string' },
  { focus: 'ResourceId', db: 'resourceId', type: 'string' },
  { focus: 'ResourceName', db: 'resourceName', type: 'string' },
  { focus: 'ResourceType', db: 'resourceType', type: 'string' },
  { focus: 'ServiceCategory', db: 'serviceCategory', type: 'string' },
  { focus: 'ServiceSubcategory', db: 'serviceSubcategory', type: 'string' },
  { focus: 'ServiceName', db: 'serviceName', type: 'string' },
  { focus: 'SkuId', db: 'skuId', type: 'string' },
  { focus: 'SkuPriceId', db: 'skuPriceId', type: 'string' },
  { focus: 'CommitmentDiscountId', db: 'commitmentDiscountId', type: 'string' },
  { focus: 'CommitmentDiscountName', db: 'commitmentDiscountName', type: 'string' },
  { focus: 'CommitmentDiscountCategory', db: 'commitmentDiscountCategory', type: 'string' },
  { focus: 'CommitmentDiscountType', db: 'commitmentDiscountType', type: 'string' },
  { focus: 'CommitmentDiscountStatus', db: 'commitmentDiscountStatus', type: 'string' },
  { focus: 'CommitmentDiscountQuantity', db: 'commitmentDiscountQuantity', type: 'decimal' },
  { focus: 'CommitmentDiscountUnit', db: 'commitmentDiscountUnit', type: 'string' },
  { focus: 'Tags', db: 'tags', type: 'tags' },
];

/**
 * Columns a file must have. FOCUS makes more columns mandatory, but the spec's own examples omit
 * ProviderName and BillingCurrency; those two may come from the import's defaults instead.
 */
export const MANDATORY_COLUMNS = [
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ChargeCategory',
  'BilledCost',
  'EffectiveCost',
] as const;

export const CHARGE_CATEGORIES = ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'] as const;
export const CHARGE_FREQUENCIES = ['One-Time', 'Recurring', 'Usage-Based'] as const;

/** Column order of the COPY into a staging table (= CostRecord's columns). */
export const COPY_COLUMNS: readonly string[] = [
  'id',
  'billingMonth',
  'scopeKey',
  'importId',
  ...FOCUS_COLUMNS.map((c) => c.db),
  'extra',
  'providerAccountId',
  'projectId',
  'vmId',
];

const byLower = new Map(FOCUS_COLUMNS.map((c) => [c.focus.toLowerCase(), c]));
/** Legacy / preview header names → FOCUS 1.x name. */
const ALIASES: Record<string, string> = {
  provider: 'ProviderName',
  publisher: 'PublisherName',
  invoiceissuer: 'InvoiceIssuerName',
  region: 'RegionName',
};

/** The FOCUS column a header names (mixed case, BOM, stray spaces tolerated), or undefined. */
export function focusColumnFor(header: string): FocusColumn | undefined {
  const key = header.replace(/^\uFEFF/, '').trim().toLowerCase();
  return byLower.get(key) ?? (ALIASES[key] ? byLower.get(ALIASES[key]!.toLowerCase()) : undefined);
}
