import type { Metadata } from 'next';
import Link from 'next/link';
import { formatDate } from '@/components/portal/format';
import { Badge } from '@/components/ui/Badge';
import { Breadcrumb } from '@/components/ui/Breadcrumb';
import { EmptyState } from '@/components/ui/EmptyState';
import { inputClass } from '@/components/ui/Field';
import { PageHeader } from '@/components/ui/PageHeader';
import { Table, Td, Th } from '@/components/ui/Table';
import { PROVIDER_LABELS, PROVIDER_ORDER } from '@/lib/catalog/listing';
import { listTemplatesQuerySchema, TEMPLATE_SORTS } from '@/lib/catalog/schemas';
import { listTemplates } from '@/lib/catalog/templates';
import { db } from '@/lib/db/client';
import { requirePrincipal } from '../../../_lib/session';

export const metadata: Metadata = { title: 'Catalog · Admin' };

type Search = Record<string, string | string[] | undefined>;

/** Lenient: an invalid filter in the URL is dropped, never an error page. */
function parseQuery(raw: Search) {
  const first = (key: string) => (Array.isArray(raw[key]) ? raw[key][0] : raw[key]) || undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(listTemplatesQuerySchema.shape) as (keyof typeof listTemplatesQuerySchema.shape)[]) {
    const parsed = listTemplatesQuerySchema.shape[key].safeParse(first(key));
    if (parsed.success && parsed.data !== undefined) out[key] = parsed.data;
  }
  return listTemplatesQuerySchema.parse(out);
}

const SORT_LABELS: Record<(typeof TEMPLATE_SORTS)[number], string> = { name: 'Name', category: 'Category', updatedAt: 'Last change', version: 'Version' };

export default async function AdminCatalogPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePrincipal('admin:catalog');
  const query = parseQuery(await searchParams);
  const result = await listTemplates(db(), query);
  const href = (patch: Record<string, string | number | undefined>) => {
    const params = new URLSearchParams();
    const merged = { q: query.q, category: query.category, provider: query.provider, status: query.status, sort: query.sort, dir: query.dir, page: query.page, ...patch };
    for (const [key, value] of Object.entries(merged)) {
      if (value === undefined || value === '' || (key === 'status' && value === 'active') || (key === 'page' && value === 1) || (key === 'sort' && value === 'name') || (key === 'dir' && value === 'asc')) continue;
      params.set(key, String(value));
    }
    const text = params.toString();
    return text ? `/admin/catalog?${text}` : '/admin/catalog';
  };
  const pages = Math.max(1, Math.ceil(result.total / query.pageSize));
  const filtered = Boolean(query.q || query.category || query.provider || query.status !== 'active');
  const sortHeader = (sort: (typeof TEMPLATE_SORTS)[number]) => {
    const active = query.sort === sort;
    const dir = active && query.dir === 'asc' ? 'desc' : 'asc';
    return (
      <Link href={href({ sort, dir, page: 1 })} className="hover:underline" aria-label={`Sort by ${SORT_LABELS[sort]}${active ? (query.dir === 'asc' ? ', sorted ascending' : ', sorted descending') : ''}`}>
        {SORT_LABELS[sort]} {active ? (query.dir === 'asc' ? '▲' : '▼') : ''}
      </Link>
    );
  };

  return (
    <>
      <Breadcrumb trail={[{ href: '/admin', label: 'Admin' }]} current="Catalog" />
      <PageHeader
        title="Catalog"
        description="Templates requesters can order: sizes, where they run, leases and extra parameters. Every change is a new version; requests keep theirs."
        actions={
          <Link href="/admin/catalog/new" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
            New template
          </Link>
        }
      />
      <form role="search" action="/admin/catalog" className="mb-4 flex flex-wrap items-end gap-3">
        <div className="min-w-48 flex-1">
          <label htmlFor="tpl-q" className="block text-sm font-medium text-slate-800">Search</label>
          <input id="tpl-q" name="q" type="search" defaultValue={query.q ?? ''} placeholder="Name, slug or OS" className={inputClass} />
        </div>
        <div>
          <label htmlFor="tpl-category" className="block text-sm font-medium text-slate-800">Category</label>
          <select id="tpl-category" name="category" defaultValue={query.category ?? ''} className={inputClass}>
            <option value="">All</option>
            {result.categories.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="tpl-provider" className="block text-sm font-medium text-slate-800">Provider</label>
          <select id="tpl-provider" name="provider" defaultValue={query.provider ?? ''} className={inputClass}>
            <option value="">All</option>
            {PROVIDER_ORDER.map((k) => <option key={k} value={k}>{PROVIDER_LABELS[k]}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="tpl-status" className="block text-sm font-medium text-slate-800">Status</label>
          <select id="tpl-status" name="status" defaultValue={query.status} className={inputClass}>
            <option value="active">Active</option>
            <option value="archived">Archived</option>
            <option value="all">All</option>
          </select>
        </div>
        <button type="submit" className="rounded-md border border-slate-300 bg-surface px-3 py-1.5 text-sm font-medium shadow-sm hover:bg-slate-50">Filter</button>
      </form>
      {result.items.length === 0 ? (
        filtered ? (
          <EmptyState title="No matching templates" action={{ href: '/admin/catalog', label: 'Clear filters' }}>Try another search, category, provider or status.</EmptyState>
        ) : (
          <EmptyState title="No templates yet" action={{ href: '/admin/catalog/new', label: 'Create the first template' }}>
            A template names the sizes requesters can pick and how each runs on your providers.
          </EmptyState>
        )
      ) : (
        <>
          <Table caption={`${result.total} templates`}>
            <thead>
              <tr>
                <Th>{sortHeader('name')}</Th>
                <Th>{sortHeader('category')}</Th>
                <Th>Sizes</Th>
                <Th>Providers</Th>
                <Th align="right">{sortHeader('version')}</Th>
                <Th>{sortHeader('updatedAt')}</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {result.items.map((t) => (
                <tr key={t.id} className="hover:bg-slate-50">
                  <Td>
                    <Link href={`/admin/catalog/${t.id}`} className="font-medium text-link hover:underline dark:text-brand-100">{t.name}</Link>
                    <div className="flex flex-wrap items-center gap-2 text-xs text-slate-500">
                      <code>{t.slug}</code> · {t.os}
                      {t.archived && <Badge tone="warning">Archived</Badge>}
                    </div>
                  </Td>
                  <Td>{t.category}</Td>
                  <Td className="text-xs">{t.sizes.join(', ')}</Td>
                  <Td className="text-xs">{t.providerKinds.map((k) => PROVIDER_LABELS[k]).join(', ') || '—'}</Td>
                  <Td align="right">v{t.currentVersion}</Td>
                  <Td className="whitespace-nowrap text-xs">{formatDate(t.updatedAt)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
          <nav aria-label="Pages" className="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600">
            <span>
              Page {query.page} of {pages} · {result.total} templates
            </span>
            <span className="flex gap-2">
              {query.page > 1 && <Link className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50" href={href({ page: query.page - 1 })}>Previous</Link>}
              {query.page < pages && <Link className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50" href={href({ page: query.page + 1 })}>Next</Link>}
            </span>
          </nav>
        </>
      )}
    </>
  );
}
