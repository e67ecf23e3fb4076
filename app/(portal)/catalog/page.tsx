import type { Metadata } from 'next';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { db } from '@/lib/db/client';
import { requirePrincipal } from '../../_lib/session';

export const metadata: Metadata = { title: 'Catalog' };

export default async function CatalogPage() {
  await requirePrincipal('catalog:read');
  const templates = await db().catalogTemplate.findMany({ where: { active: true }, orderBy: { name: 'asc' } });
  return (
    <>
      <PageHeader title="Catalog" description="Pick a template, choose where it runs, and submit a request." />
      {templates.length === 0 ? (
        <EmptyState title="No templates yet">An administrator adds templates under Admin → Catalog.</EmptyState>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {templates.map((t) => (
            <li key={t.id} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
              <p className="text-xs font-medium uppercase tracking-wide text-brand-600">{t.category}</p>
              <h2 className="mt-1 font-semibold">{t.name}</h2>
              <p className="mt-1 text-sm text-slate-600">{t.description}</p>
              <p className="mt-3 text-xs text-slate-500">
                {t.vcpus} vCPU · {t.memoryMiB / 1024} GiB RAM · {t.diskGiB} GiB disk · {t.os}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
