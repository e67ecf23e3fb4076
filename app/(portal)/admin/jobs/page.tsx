import type { Metadata } from 'next';
import Link from 'next/link';
import { Badge, type BadgeTone } from '@/components/ui/Badge';
import { Breadcrumb } from '@/components/ui/Breadcrumb';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { Table, Td, Th } from '@/components/ui/Table';
import { formatDate } from '@/components/portal/format';
import { db } from '@/lib/db/client';
import { listJobs } from '@/lib/jobs/admin';
import { JOB_KINDS, JOB_VIEW_STATUSES, jobFilterSchema } from '@/lib/jobs/schemas';
import { requirePrincipal } from '../../../_lib/session';
import { JobActions } from './JobActions';

export const metadata: Metadata = { title: 'Jobs' };
export const dynamic = 'force-dynamic';

type SearchParams = Record<string, string | string[] | undefined>;

const TONES: Record<string, BadgeTone> = { queued: 'neutral', running: 'info', retrying: 'warning', failed: 'danger', succeeded: 'success', cancelled: 'neutral' };

function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === '' ? undefined : v;
}

export default async function JobsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requirePrincipal('admin:jobs');
  const raw = await searchParams;
  const input = { status: first(raw.status), kind: first(raw.kind), page: first(raw.page) };
  const parsed = jobFilterSchema.safeParse(input);
  const filter = parsed.success ? parsed.data : jobFilterSchema.parse({});
  const page = await listJobs(db(), filter);
  const lastPage = Math.max(1, Math.ceil(page.total / page.pageSize));
  const hrefFor = (changes: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    const merged = { status: filter.status, kind: filter.kind, page: String(filter.page), ...changes };
    for (const [k, v] of Object.entries(merged)) if (v && !(k === 'page' && v === '1')) params.set(k, v);
    const qs = params.toString();
    return qs ? `?${qs}` : '?';
  };

  return (
    <>
      <Breadcrumb trail={[{ href: '/admin', label: 'Admin' }]} current="Jobs" />
      <PageHeader title="Jobs" description="Provisioning, day-2 actions and lease work run as background jobs (graphile-worker). Newest first." />

      <nav aria-label="Job status" className="mb-4 flex flex-wrap gap-2 text-sm">
        <Link href={hrefFor({ status: undefined, page: '1' })} aria-current={!filter.status ? 'page' : undefined} className={`rounded-full px-3 py-1 ring-1 ring-slate-300 ${!filter.status ? 'bg-slate-100 font-semibold' : ''}`}>
          All
        </Link>
        {JOB_VIEW_STATUSES.map((status) => (
          <Link key={status} href={hrefFor({ status, page: '1' })} aria-current={filter.status === status ? 'page' : undefined} className={`rounded-full px-3 py-1 ring-1 ring-slate-300 ${filter.status === status ? 'bg-slate-100 font-semibold' : ''}`}>
            {status} <span className="tabular-nums text-slate-600">({page.counts[status] ?? 0})</span>
          </Link>
        ))}
      </nav>

      <form method="get" role="search" aria-label="Filter jobs" className="mb-4 flex flex-wrap items-end gap-2">
        {filter.status && <input type="hidden" name="status" value={filter.status} />}
        <label className="text-sm">
          <span className="block text-xs font-medium text-slate-700">Kind</span>
          <select name="kind" defaultValue={filter.kind ?? ''} className="mt-1 rounded-md border border-slate-300 bg-surface px-2 py-1.5 text-sm">
            <option value="">Any kind</option>
            {JOB_KINDS.map((k) => (
              <option key={k} value={k}>
                {k.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50">
          Filter
        </button>
      </form>

      {page.jobs.length === 0 ? (
        <EmptyState title="No jobs match">Approved requests, VM actions and lease expiries appear here as they run.</EmptyState>
      ) : (
        <Table caption="Jobs">
          <thead>
            <tr>
              <Th>Status</Th>
              <Th>Kind</Th>
              <Th>Target</Th>
              <Th align="right">Attempts</Th>
              <Th>Next attempt / finished</Th>
              <Th>Error</Th>
              <Th>Actions</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {page.jobs.map((job) => (
              <tr key={job.id}>
                <Td>
                  <Badge tone={TONES[job.status]}>{job.status}</Badge>
                </Td>
                <Td className="whitespace-nowrap">{job.kind.replace('_', ' ')}</Td>
                <Td>
                  {job.vmId ? (
                    <Link href={`/inventory/${job.vmId}`} className="text-brand-700 hover:underline">
                      {job.target}
                    </Link>
                  ) : job.requestId ? (
                    <Link href={`/requests/${job.requestId}`} className="text-brand-700 hover:underline">
                      {job.target}
                    </Link>
                  ) : (
                    job.target
                  )}
                </Td>
                <Td align="right">
                  {job.attempts}/{job.maxAttempts}
                </Td>
                <Td className="whitespace-nowrap">{job.status === 'queued' || job.status === 'retrying' ? formatDate(job.nextAttemptAt) : formatDate(job.finishedAt)}</Td>
                <Td className="max-w-xs break-words text-red-700">{job.lastError ?? ''}</Td>
                <Td>
                  <JobActions jobId={job.id} canRetry={job.status === 'failed' || job.status === 'cancelled'} canCancel={job.status === 'queued' || job.status === 'retrying'} />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}

      {lastPage > 1 && (
        <nav aria-label="Pages" className="mt-4 flex items-center gap-3 text-sm">
          {filter.page > 1 && <Link href={hrefFor({ page: String(filter.page - 1) })} className="text-brand-700 hover:underline">Previous</Link>}
          <span>
            Page {filter.page} of {lastPage}
          </span>
          {filter.page < lastPage && <Link href={hrefFor({ page: String(filter.page + 1) })} className="text-brand-700 hover:underline">Next</Link>}
        </nav>
      )}

      <h2 className="mb-2 mt-8 text-lg font-semibold">Queue by task</h2>
      {page.queue.length === 0 ? (
        <p className="text-sm text-slate-600">The queue is empty.</p>
      ) : (
        <Table caption="graphile-worker queue by task">
          <thead>
            <tr>
              <Th>Task</Th>
              <Th align="right">Waiting</Th>
              <Th align="right">Running</Th>
              <Th align="right">Retrying</Th>
              <Th align="right">Failed</Th>
              <Th>Last error</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {page.queue.map((q) => (
              <tr key={q.task}>
                <Td className="font-mono text-xs">{q.task}</Td>
                <Td align="right">{q.waiting}</Td>
                <Td align="right">{q.running}</Td>
                <Td align="right">{q.retrying}</Td>
                <Td align="right">{q.failed}</Td>
                <Td className="max-w-xs break-words text-red-700">{q.lastError ?? ''}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
