'use client';
// Live provisioning progress of one request: polls GET /api/v1/requests/{id} every 2 s while the
// request is not final, showing each VM's step (queued → creating → running, or the retry and its
// next attempt time, or the failure) without a reload. Failed items get a Retry button.
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';

interface JobProgress {
  index: number;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
}
interface ItemProgress {
  id: string;
  name: string;
  status: string;
  count: number;
  vmIds: string[];
  jobs: JobProgress[];
}
interface RequestProgressView {
  status: string;
  items: ItemProgress[];
}

const FINAL = new Set(['completed', 'failed', 'rejected', 'cancelled', 'draft']);
const POLL_MS = 2_000;

function stepLabel(job: JobProgress): string {
  switch (job.status) {
    case 'queued':
      return 'Queued';
    case 'creating':
      return job.attempts > 1 ? `Creating (attempt ${job.attempts})` : 'Creating';
    case 'retrying':
      return `Retrying at ${job.nextAttemptAt ? new Date(job.nextAttemptAt).toLocaleTimeString() : 'soon'} (attempt ${job.attempts} failed${job.lastError ? `: ${job.lastError}` : ''})`;
    case 'created':
      return 'Running';
    case 'failed':
      return `Failed${job.lastError ? `: ${job.lastError}` : ''}`;
    default:
      return job.status;
  }
}

const TONE: Record<string, string> = {
  created: 'text-emerald-700',
  failed: 'text-red-700',
  retrying: 'text-amber-700',
  creating: 'text-brand-700',
  queued: 'text-slate-600',
};

/**
 * `renderedStatus`: the status the server rendered the page with. Work can finish between that
 * render and the first poll; the page (status, timeline, VM links) must then still catch up.
 */
export function RequestProgress({ requestId, renderedStatus }: { requestId: string; renderedStatus: string }) {
  const router = useRouter();
  const [view, setView] = useState<RequestProgressView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [retrying, setRetrying] = useState<string | null>(null);
  const wasLive = useRef(!FINAL.has(renderedStatus));

  const load = useCallback(async () => {
    try {
      const response = await fetch(`/api/v1/requests/${encodeURIComponent(requestId)}`, { cache: 'no-store' });
      if (!response.ok) return;
      const next = (await response.json()) as RequestProgressView;
      setView(next);
      if (!FINAL.has(next.status)) wasLive.current = true;
      else if (wasLive.current) {
        // Work just finished: let the server-rendered page (timeline, VM links) catch up once.
        wasLive.current = false;
        router.refresh();
      }
    } catch {
      // A missed poll is retried on the next tick.
    }
  }, [requestId, router]);

  useEffect(() => {
    void load();
  }, [load]);

  const live = view ? !FINAL.has(view.status) : false;
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [live, load]);

  async function retry(itemId: string) {
    setRetrying(itemId);
    setError(null);
    try {
      const response = await fetch(`/api/v1/requests/${encodeURIComponent(requestId)}/items/${encodeURIComponent(itemId)}/retry`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      if (!response.ok) {
        const problem = (await response.json().catch(() => ({}))) as { detail?: string };
        setError(problem.detail ?? 'The retry failed.');
      }
      wasLive.current = true;
      await load();
    } finally {
      setRetrying(null);
    }
  }

  if (!view || view.items.every((i) => i.jobs.length === 0)) return null;
  return (
    <section aria-label="Provisioning progress" className="rounded-xl border border-slate-200 bg-surface p-4" data-testid="request-progress">
      <h2 className="text-sm font-semibold text-slate-800">
        Provisioning {live && <span className="font-normal text-slate-600">(updates every 2 s)</span>}
      </h2>
      <ul className="mt-2 space-y-3">
        {view.items.map((item) => (
          <li key={item.id} className="text-sm">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-medium">{item.name}</span>
              <span className="text-slate-600">
                {item.status} · {item.vmIds.length}/{item.count} VM(s)
              </span>
              {item.status === 'failed' && (
                <button type="button" onClick={() => void retry(item.id)} disabled={retrying !== null} className="rounded-md border border-slate-300 px-2 py-1 text-xs font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-50">
                  {retrying === item.id ? 'Retrying…' : 'Retry'}
                </button>
              )}
            </div>
            <ol className="mt-1 space-y-0.5 pl-4" aria-live="polite">
              {item.jobs.map((job) => (
                <li key={job.index} className={`break-words ${TONE[job.status] ?? 'text-slate-700'}`} data-testid="vm-progress">
                  VM {job.index + 1}: {stepLabel(job)}
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ul>
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      )}
    </section>
  );
}
