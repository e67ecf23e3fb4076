import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { formatDate } from '@/components/portal/format';
import { Badge } from '@/components/ui/Badge';
import { Breadcrumb } from '@/components/ui/Breadcrumb';
import { PageHeader } from '@/components/ui/PageHeader';
import { getTemplate, templateHistory } from '@/lib/catalog/templates';
import { db } from '@/lib/db/client';
import { NotFoundError } from '@/lib/errors';
import { requirePrincipal } from '../../../../_lib/session';
import { saveTemplateAction, setTemplateArchivedAction } from '../actions';
import { ArchiveForm } from '../ArchiveForm';
import { templateFormOptions } from '../form-data';
import { TemplateForm } from '../TemplateForm';

export const metadata: Metadata = { title: 'Template · Catalog' };

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value === '' ? '""' : value;
  return JSON.stringify(value);
}

export default async function TemplatePage({ params, searchParams }: { params: Promise<{ templateId: string }>; searchParams: Promise<{ saved?: string }> }) {
  await requirePrincipal('admin:catalog');
  const { templateId } = await params;
  const { saved } = await searchParams;
  const template = await getTemplate(db(), templateId).catch((error: unknown) => {
    if (error instanceof NotFoundError) notFound();
    throw error;
  });
  const [history, options] = await Promise.all([templateHistory(db(), template.id), templateFormOptions(db())]);
  return (
    <>
      <Breadcrumb trail={[{ href: '/admin', label: 'Admin' }, { href: '/admin/catalog', label: 'Catalog' }]} current={template.definition.name} />
      <PageHeader
        title={template.definition.name}
        description={`${template.definition.slug} · version ${template.currentVersion} · last change ${formatDate(template.updatedAt)}`}
        actions={template.archived ? <Badge tone="warning">Archived</Badge> : <Badge tone="success">In the catalog</Badge>}
      />
      {saved && (
        <p role="status" className="mb-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800 ring-1 ring-inset ring-emerald-300">
          Saved{saved !== '1' || template.currentVersion > 1 ? ` — now at version ${template.currentVersion}` : ''}.
        </p>
      )}
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[1fr_24rem]">
        <section aria-labelledby="edit-heading" className="min-w-0">
          <h2 id="edit-heading" className="sr-only">Edit</h2>
          <TemplateForm
            key={template.versionId}
            action={saveTemplateAction.bind(null, template.id)}
            initial={template.definition}
            currentVersion={template.currentVersion}
            {...options}
          />
        </section>
        <aside className="space-y-6">
          <section aria-labelledby="archive-heading" className="rounded-xl border border-slate-200 bg-surface p-4 shadow-sm">
            <h2 id="archive-heading" className="mb-2 font-semibold">{template.archived ? 'Archived' : 'Archive'}</h2>
            <p className="mb-3 text-sm text-slate-600">
              {template.archived
                ? `Archived ${formatDate(template.archivedAt)}. Hidden from the catalog; requests made from it keep their version.`
                : 'Hides the template from the catalog. Nothing is deleted: every version stays, and existing requests keep theirs.'}
            </p>
            <ArchiveForm action={setTemplateArchivedAction.bind(null, template.id, !template.archived)} archived={template.archived} />
          </section>
          <section aria-labelledby="history-heading" className="rounded-xl border border-slate-200 bg-surface p-4 shadow-sm">
            <h2 id="history-heading" className="mb-2 font-semibold">Version history</h2>
            <ol className="space-y-4">
              {history.map((v) => (
                <li key={v.version} className="text-sm">
                  <p className="font-medium">
                    v{v.version} <span className="font-normal text-slate-500">· {formatDate(v.createdAt)} · {v.createdBy ?? 'system'}</span>
                  </p>
                  {v.changelog && <p className="text-slate-700">{v.changelog}</p>}
                  {v.changes.length > 0 && (
                    <ul className="mt-1 space-y-0.5 text-xs" aria-label={`Changes in version ${v.version}`}>
                      {v.changes.slice(0, 30).map((c) => (
                        <li key={c.path} className="break-words">
                          <code className="text-slate-800">{c.path}</code>: <del className="text-red-700">{show(c.before)}</del> → <ins className="text-emerald-700 no-underline">{show(c.after)}</ins>
                        </li>
                      ))}
                      {v.changes.length > 30 && <li className="text-slate-500">… and {v.changes.length - 30} more</li>}
                    </ul>
                  )}
                </li>
              ))}
            </ol>
          </section>
        </aside>
      </div>
    </>
  );
}
