import type { Metadata } from 'next';
import Link from 'next/link';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { auditFilterSchema, compactFilterInput, diffAuditValues, listAuditEvents, type AuditEventView } from '@/lib/audit/query';
import { db } from '@/lib/db/client';
import { fieldIssuesFromZod } from '@/lib/errors';
import { requirePrincipal } from '../../../_lib/session';

export const metadata: Metadata = { title: 'Audit log' };

type SearchParams = Record<string, string | string[] | undefined>;

const FILTER_FIELDS = [
  { name: 'actor', label: 'Actor', placeholder: 'e-mail contains…', type: 'text' },
  { name: 'action', label: 'Action', placeholder: 'e.g. provider_account.', type: 'text' },
  { name: 'targetType', label: 'Target type', placeholder: 'e.g. project', type: 'text' },
  { name: 'targetId', label: 'Target id', placeholder: 'exact id', type: 'text' },
  { name: 'from', label: 'From (UTC)', placeholder: '', type: 'date' },
  { name: 'to', label: 'To (UTC, inclusive)', placeholder: '', type: 'date' },
] as const;

function formatJson(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

function DiffTable({ event }: { event: AuditEventView }) {
  const lines = diffAuditValues(event.before, event.after);
  if (lines.length === 0) return <p className="text-sm text-slate-600">No before/after data was recorded for this event.</p>;
  const tone = { added: 'bg-emerald-50', removed: 'bg-red-50', changed: 'bg-amber-50', unchanged: '' } as const;
  return (
    <table className="w-full text-xs">
      <caption className="sr-only">Changes recorded by event {event.id}</caption>
      <thead className="text-left text-slate-600">
        <tr>
          <th scope="col" className="py-1 pr-3 font-semibold">Field</th>
          <th scope="col" className="py-1 pr-3 font-semibold">Change</th>
          <th scope="col" className="py-1 pr-3 font-semibold">Before</th>
          <th scope="col" className="py-1 font-semibold">After</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((line) => (
          <tr key={line.path} className={tone[line.kind]}>
            <th scope="row" className="py-1 pr-3 text-left align-top font-mono font-normal">{line.path}</th>
            <td className="py-1 pr-3 align-top">{line.kind}</td>
            <td className="py-1 pr-3 align-top"><pre className="max-h-72 max-w-[28rem] overflow-auto whitespace-pre font-mono">{formatJson(line.before)}</pre></td>
            <td className="py-1 align-top"><pre className="max-h-72 max-w-[28rem] overflow-auto whitespace-pre font-mono">{formatJson(line.after)}</pre></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default async function AuditLogPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requirePrincipal('audit:read');
  const raw = compactFilterInput(await searchParams);
  const parsed = auditFilterSchema.safeParse(raw);
  const issues = parsed.success ? [] : fieldIssuesFromZod(parsed.error);
  const page = parsed.success ? await listAuditEvents(db(), parsed.data) : { events: [], nextCursor: null };
  const filtered = Object.keys(raw).some((k) => k !== 'cursor' && k !== 'limit');
  const nextHref = page.nextCursor ? `?${new URLSearchParams({ ...raw, cursor: page.nextCursor }).toString()}` : null;
  const { cursor: _cursor, ...withoutCursor } = raw;
  const firstHref = raw.cursor ? `?${new URLSearchParams(withoutCursor).toString()}` : null;

  return (
    <>
      <PageHeader title="Audit log" description="Every change in Skyport, who made it and when. Newest first." />

      <form method="get" role="search" aria-label="Filter audit events" className="mb-6 rounded-xl border border-slate-200 bg-surface p-4 shadow-sm">
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-6">
          {FILTER_FIELDS.map((field) => (
            <div key={field.name}>
              <label htmlFor={`filter-${field.name}`} className="block text-xs font-medium text-slate-700">
                {field.label}
              </label>
              <input
                id={`filter-${field.name}`}
                name={field.name}
                type={field.type}
                defaultValue={raw[field.name] ?? ''}
                placeholder={field.placeholder}
                className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
              />
            </div>
          ))}
        </div>
        <div className="mt-3 flex flex-wrap items-center gap-3">
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
            Apply filters
          </button>
          {filtered && (
            <Link href="/admin/audit" className="text-sm text-link underline">
              Clear filters
            </Link>
          )}
        </div>
        {issues.length > 0 && (
          <ul role="alert" className="mt-3 list-disc pl-5 text-sm text-red-700">
            {issues.map((issue) => (
              <li key={issue.field}>
                {issue.field}: {issue.message}
              </li>
            ))}
          </ul>
        )}
      </form>

      {page.events.length === 0 ? (
        <EmptyState title={filtered ? 'No events match these filters' : 'No audit events yet'}>
          {filtered
            ? 'Widen the time range or clear a filter. Actor matches part of an e-mail; action matches the beginning (e.g. "project.").'
            : 'Events appear here as soon as anyone changes something: projects, requests, provider accounts, tokens.'}
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-surface shadow-sm">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="px-4 py-2 text-left text-xs text-slate-600">
              Audit events{raw.cursor ? ' (older page)' : ''}, newest first. Expand “Changes” to compare before and after.
            </caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-4 py-2">Time (UTC)</th>
                <th scope="col" className="px-4 py-2">Actor</th>
                <th scope="col" className="px-4 py-2">Action</th>
                <th scope="col" className="px-4 py-2">Target</th>
                <th scope="col" className="px-4 py-2">Request id</th>
                <th scope="col" className="px-4 py-2">Changes</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 align-top">
              {page.events.map((event) => (
                <tr key={event.id}>
                  <th scope="row" className="whitespace-nowrap px-4 py-2 text-left font-normal">
                    <time dateTime={event.at}>{event.at.replace('T', ' ').slice(0, 19)}</time>
                  </th>
                  <td className="min-w-52 px-4 py-2">
                    <span className="break-words">{event.actorLabel}</span>
                    <span className="block text-xs text-slate-500">{event.actorType}</span>
                  </td>
                  <td className="px-4 py-2 font-mono text-xs">{event.action}</td>
                  <td className="px-4 py-2">
                    {event.targetType}
                    {event.targetId && <span className="block break-all font-mono text-xs text-slate-500">{event.targetId}</span>}
                  </td>
                  <td className="px-4 py-2 font-mono text-xs">{event.requestId ?? '—'}</td>
                  <td className="min-w-64 px-4 py-2">
                    {event.before === null && event.after === null ? (
                      <span className="text-xs text-slate-500">—</span>
                    ) : (
                      <details>
                        <summary className="cursor-pointer text-sm text-link">Changes</summary>
                        <div className="mt-2 max-w-xl">
                          <DiffTable event={event} />
                        </div>
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <nav aria-label="Audit log pages" className="mt-4 flex gap-4">
        {firstHref !== null && (
          <Link href={firstHref || '/admin/audit'} className="text-sm text-link underline">
            Newest events
          </Link>
        )}
        {nextHref && (
          <Link href={nextHref} className="rounded-md border border-slate-300 bg-surface px-4 py-1.5 text-sm font-medium hover:bg-slate-50">
            Next page (older) →
          </Link>
        )}
      </nav>
    </>
  );
}
