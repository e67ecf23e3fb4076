'use client';
// Submit (drafts) and Cancel for the requester, through the same API as every other client.
import { useRouter } from 'next/navigation';
import { useState } from 'react';

export function RequestActions({ requestId, canSubmit, canCancel }: { requestId: string; canSubmit: boolean; canCancel: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState<'submit' | 'cancel' | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);

  async function run(action: 'submit' | 'cancel') {
    setBusy(action);
    setMessage(null);
    try {
      const response = await fetch(`/api/v1/requests/${encodeURIComponent(requestId)}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      if (!response.ok) {
        const problem = (await response.json().catch(() => ({}))) as { detail?: string };
        setMessage(problem.detail ?? `The ${action} failed.`);
        return;
      }
      setConfirming(false);
      router.refresh();
    } catch {
      setMessage('The request could not be sent; check your connection.');
    } finally {
      setBusy(null);
    }
  }

  if (!canSubmit && !canCancel) return null;
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="request-actions">
      {canSubmit && (
        <button type="button" onClick={() => void run('submit')} disabled={busy !== null} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-brand-700 disabled:cursor-wait">
          {busy === 'submit' ? 'Submitting…' : 'Submit draft'}
        </button>
      )}
      {canCancel &&
        (confirming ? (
          <>
            <button type="button" onClick={() => void run('cancel')} disabled={busy !== null} className="rounded-md border border-red-300 bg-surface px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:cursor-wait">
              {busy === 'cancel' ? 'Cancelling…' : 'Yes, cancel the request'}
            </button>
            <button type="button" onClick={() => setConfirming(false)} className="px-2 py-1.5 text-sm text-slate-700 hover:underline">
              Keep it
            </button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirming(true)} className="rounded-md border border-slate-300 bg-surface px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50">
            Cancel request
          </button>
        ))}
      {message && (
        <p role="alert" className="w-full text-sm text-red-700">
          {message}
        </p>
      )}
    </div>
  );
}
