'use client';
// Retry (failed/cancelled) and Cancel (queued/retrying) for one job, through the jobs API.
import { useRouter } from 'next/navigation';
import { useState } from 'react';

export function JobActions({ jobId, canRetry, canCancel }: { jobId: string; canRetry: boolean; canCancel: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  async function run(action: 'retry' | 'cancel') {
    setBusy(true);
    setMessage(null);
    try {
      const response = await fetch(`/api/v1/jobs/${encodeURIComponent(jobId)}/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      if (!response.ok) {
        const problem = (await response.json().catch(() => ({}))) as { detail?: string };
        setMessage(problem.detail ?? `The ${action} failed.`);
        return;
      }
      router.refresh();
    } catch {
      setMessage('The request could not be sent.');
    } finally {
      setBusy(false);
    }
  }

  if (!canRetry && !canCancel) return null;
  return (
    <span className="flex flex-wrap gap-1">
      {canRetry && (
        <button type="button" disabled={busy} onClick={() => void run('retry')} className="rounded-md border border-slate-300 px-2 py-1 text-xs font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-50">
          Retry<span className="sr-only"> job {jobId}</span>
        </button>
      )}
      {canCancel && (
        <button type="button" disabled={busy} onClick={() => void run('cancel')} className="rounded-md border border-red-300 px-2 py-1 text-xs font-medium text-red-700 hover:bg-red-50 disabled:opacity-50">
          Cancel<span className="sr-only"> job {jobId}</span>
        </button>
      )}
      {message && (
        <span role="alert" className="w-full text-xs text-red-700">
          {message}
        </span>
      )}
    </span>
  );
}
