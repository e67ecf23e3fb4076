import type { Metadata } from 'next';
import { formatDate, PROVIDER_NAMES } from '@/components/portal/format';
import { Badge } from '@/components/ui/Badge';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { Table, Td, Th } from '@/components/ui/Table';
import { HOURS_PER_MONTH, listPriceBooks } from '@/lib/catalog/listing';
import { db } from '@/lib/db/client';
import { requirePrincipal } from '../../../_lib/session';

export const metadata: Metadata = { title: 'Price book' };

const SKU_LABELS: Record<string, string> = { vcpu: 'vCPU', 'memory-gib': 'Memory (GiB)', 'disk-gib': 'Disk (GiB)' };

function price(value: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 6 }).format(value);
}

export default async function PriceBookPage() {
  await requirePrincipal('admin:prices');
  const books = await listPriceBooks(db());
  return (
    <>
      <PageHeader
        title="Price book"
        description={`Rates used for request estimates: cloud sizes per hour (× ${HOURS_PER_MONTH} for a month), vSphere as internal chargeback per vCPU, GiB of memory and GiB of disk.`}
      />
      {books.length === 0 ? (
        <EmptyState title="No price book yet">
          Without rates, request estimates show “price on request”. Start Skyport with the demo data (SKYPORT_DEMO=1) for a sample price
          book, or add rates through the price-book API.
        </EmptyState>
      ) : (
        <div className="space-y-8">
          {books.map((book) => {
            const headingId = `book-${book.id}`;
            return (
              <section key={book.id} aria-labelledby={headingId}>
                <div className="mb-2 flex flex-wrap items-center gap-2">
                  <h2 id={headingId} className="text-base font-semibold">{book.name}</h2>
                  {book.current ? <Badge tone="success">In effect</Badge> : <Badge>Not in effect</Badge>}
                  <span className="text-sm text-slate-600">
                    {book.source} · {book.currency} · from {formatDate(book.effectiveFrom)}
                    {book.effectiveTo ? ` to ${formatDate(book.effectiveTo)}` : ''}
                  </span>
                </div>
                {book.rates.length === 0 ? (
                  <p className="text-sm text-slate-500">This price book has no rates.</p>
                ) : (
                  <Table caption={`Rates in ${book.name}`}>
                    <thead>
                      <tr>
                        <Th>Provider</Th>
                        <Th>SKU</Th>
                        <Th>Region</Th>
                        <Th>Unit</Th>
                        <Th align="right">Unit price</Th>
                      </tr>
                    </thead>
                    <tbody className="divide-y divide-slate-100">
                      {book.rates.map((r) => (
                        <tr key={`${r.providerKind}-${r.sku}-${r.regionCode}-${r.unit}`}>
                          <Td>{PROVIDER_NAMES[r.providerKind]}</Td>
                          <Td className="font-mono text-xs">{SKU_LABELS[r.sku] ?? r.sku}</Td>
                          <Td>{r.regionCode === '*' ? 'All regions' : r.regionCode}</Td>
                          <Td>per {r.unit}</Td>
                          <Td align="right">{price(r.unitPrice, book.currency)}</Td>
                        </tr>
                      ))}
                    </tbody>
                  </Table>
                )}
              </section>
            );
          })}
        </div>
      )}
    </>
  );
}
