'use client';
// Day-2 actions for one VM (contract 8): shows what the caller may do, runs actions through the
// API, and polls while one is in progress so the state updates without a reload.
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ResizeOption, VmActionsView } from '@/lib/vms/schemas';

const LABELS: Record<string, string> = { start: 'Start', stop: 'Stop', reboot: 'Reboot', resize: 'Resize', delete: 'Delete' };
const POLL_MS = 2_000;

async function problemText(response: Response, fallback: string): Promise<string> {
  const problem = (await response.json().catch(() => ({}))) as { detail?: string };
  return problem.detail ?? fallback;
}

export function VmActionsPanel({ vmId }: { vmId: string }) {
  const router = useRouter();
  const [view, setView] = useState<VmActionsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [sizes, setSizes] = useState<ResizeOption[] | null>(null);
  const [size, setSize] = useState('');
  const [days, setDays] = useState(7);
  const base = `/api/v1/vms/${encodeURIComponent(vmId)}`;

  // Loads overlap (a poll still on its way when the action is sent, a slow server): a response
  // older than one already shown is dropped, or a poll sent before "Start" was committed could put
  // the VM back to "stopped" and end the polling while the start runs.
  const sent = useRef(0);
  const shown = useRef(0);
  const load = useCallback(async () => {
    const mine = ++sent.current;
    const response = await fetch(`${base}/actions`, { cache: 'no-store' });
    if (mine < shown.current) return null;
    if (!response.ok) {
      setError(await problemText(response, 'Could not load the VM’s actions.'));
      return null;
    }
    const next = (await response.json()) as VmActionsView;
    if (mine < shown.current) return null;
    shown.current = mine;
    setView(next);
    return next;
  }, [base]);

  useEffect(() => {
    void load();
  }, [load]);

  // Poll while an action runs; refresh the server-rendered page once it is done.
  const pending = view?.pendingAction?.jobId ?? null;
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => {
      void load().then((next) => {
        if (next && !next.pendingAction) router.refresh();
      });
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [pending, load, router]);

  async function post(path: string, body: unknown) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const response = await fetch(`${base}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!response.ok) setError(await problemText(response, 'The action failed.'));
      else {
        // A day-2 policy may route the action to approval instead of running it.
        const answer = (await response.json().catch(() => ({}))) as { approvalRequired?: boolean; requestNumber?: number };
        if (answer.approvalRequired) setNotice(`This needs approval first${answer.requestNumber ? ` (REQ-${answer.requestNumber})` : ''}; it runs once approved.`);
      }
      await load();
      if (path === 'lease') router.refresh();
    } catch {
      setError('The request could not be sent; check your connection.');
    } finally {
      setBusy(false);
      setConfirmDelete(false);
    }
  }

  async function openResize() {
    const response = await fetch(`${base}/sizes`, { cache: 'no-store' });
    if (!response.ok) {
      setError(await problemText(response, 'Could not load sizes.'));
      return;
    }
    const { sizes: list } = (await response.json()) as { sizes: ResizeOption[] };
    setSizes(list);
    setSize(list.find((s) => !s.current)?.size ?? '');
  }

  if (!view) {
    return (
      <section aria-label="VM actions" className="rounded-xl border border-slate-200 bg-surface p-4 text-sm text-slate-600">
        {error ?? 'Loading actions…'}
      </section>
    );
  }
  const resize = view.actions.find((a) => a.action === 'resize');
  const chosen = sizes?.find((s) => s.size === size);
  const current = sizes?.find((s) => s.current);
  return (
    <section aria-label="VM actions" className="space-y-3 rounded-xl border border-slate-200 bg-surface p-4" data-testid="vm-actions">
      <div className="flex flex-wrap items-center gap-2">
        {view.actions
          .filter((a) => a.action !== 'resize')
          .map((a) =>
            a.action === 'delete' && confirmDelete ? (
              <span key={a.action} className="flex items-center gap-2">
                <button type="button" onClick={() => void post('actions', { action: 'delete' })} disabled={busy} className="rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50">
                  Yes, delete the VM
                </button>
                <button type="button" onClick={() => setConfirmDelete(false)} className="px-2 py-1.5 text-sm text-slate-700 hover:underline">
                  Keep it
                </button>
              </span>
            ) : (
              <button
                key={a.action}
                type="button"
                disabled={!a.enabled || busy}
                title={a.reason}
                aria-describedby={a.reason ? `vm-action-${a.action}-reason` : undefined}
                onClick={() => (a.action === 'delete' ? setConfirmDelete(true) : void post('actions', { action: a.action }))}
                className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50"
              >
                {LABELS[a.action]}
                {a.reason && (
                  <span id={`vm-action-${a.action}-reason`} className="sr-only">
                    {` (${a.reason})`}
                  </span>
                )}
              </button>
            ),
          )}
        {resize && (
          <button type="button" disabled={!resize.enabled || busy} title={resize.reason} onClick={() => void openResize()} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50">
            Resize…
          </button>
        )}
      </div>

      {view.pendingAction && (
        <p role="status" className="text-sm text-brand-700" data-testid="vm-action-progress">
          {LABELS[view.pendingAction.action] ?? view.pendingAction.action} {view.pendingAction.status === 'retrying' ? `is retrying (attempt ${view.pendingAction.attempts}${view.pendingAction.lastError ? `: ${view.pendingAction.lastError}` : ''})` : 'in progress…'}
        </p>
      )}
      {view.pendingApprovals.length > 0 && (
        <ul className="space-y-1 text-sm" data-testid="vm-pending-approvals" aria-label="Actions awaiting approval">
          {view.pendingApprovals.map((p) => (
            <li key={p.requestId} className="rounded-md bg-amber-50 px-3 py-2 text-amber-800">
              Awaiting approval:{' '}
              <a href={`/requests/${p.requestId}`} className="font-medium underline">
                REQ-{p.requestNumber}
              </a>{' '}
              — {p.summary}
            </li>
          ))}
        </ul>
      )}
      {notice && (
        <p role="status" className="text-sm text-amber-800">
          {notice}
        </p>
      )}
      {!view.pendingAction && view.lastAction && (
        <p className="text-sm text-slate-600">
          Last action: {LABELS[view.lastAction.action] ?? view.lastAction.action} {view.lastAction.status}
          {view.lastAction.lastError ? ` — ${view.lastAction.lastError}` : ''}
        </p>
      )}

      {sizes && resize?.enabled && (
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            void post('actions', { action: 'resize', size }).then(() => setSizes(null));
          }}
        >
          <label className="text-sm">
            <span className="block text-slate-700">New size</span>
            <select value={size} onChange={(e) => setSize(e.target.value)} className="mt-1 rounded-md border border-slate-300 bg-surface px-2 py-1.5 text-sm">
              {sizes.map((s) => (
                <option key={s.size} value={s.size} disabled={s.current}>
                  {s.size} · {s.vcpus} vCPU · {Math.round(s.memoryMiB / 1024)} GiB{s.monthlyPrice ? ` · ${s.monthlyPrice} ${s.currency}/month` : ''}
                  {s.current ? ' (current)' : ''}
                </option>
              ))}
            </select>
          </label>
          <p className="text-sm text-slate-700" aria-live="polite">
            {chosen?.monthlyPrice ? `New monthly price: ${chosen.monthlyPrice} ${chosen.currency}` : 'No price in the price book for this size.'}
            {current?.monthlyPrice ? ` (now ${current.monthlyPrice} ${current.currency})` : ''}
          </p>
          <button type="submit" disabled={busy || !size} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-50">
            Resize
          </button>
          <button type="button" onClick={() => setSizes(null)} className="px-2 py-1.5 text-sm text-slate-700 hover:underline">
            Cancel
          </button>
        </form>
      )}

      {view.lease.expiresAt && view.actions.some((a) => a.enabled || a.reason?.includes('progress')) && (
        <form
          className="flex flex-wrap items-end gap-2 border-t border-slate-200 pt-3"
          onSubmit={(event) => {
            event.preventDefault();
            void post('lease', { days });
          }}
        >
          <p className="w-full text-sm text-slate-700">
            Lease ends {new Date(view.lease.expiresAt).toLocaleString()}
            {view.lease.maxDays ? ` (up to ${view.lease.maxDays} days from today at once; longer needs approval)` : ''}.
          </p>
          <label className="text-sm">
            <span className="block text-slate-700">Extend by (days)</span>
            <input type="number" min={1} max={365} value={days} onChange={(e) => setDays(Number(e.target.value))} className="mt-1 w-24 rounded-md border border-slate-300 bg-surface px-2 py-1.5 text-sm" />
          </label>
          <button type="submit" disabled={busy} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50">
            Extend lease
          </button>
        </form>
      )}

      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
    </section>
  );
}
