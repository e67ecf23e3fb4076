'use client';

// Follows a background sync of one account: polls GET /api/v1/provider-accounts/{id}/sync while it
// is queued or running (regions done, VMs seen), then shows how it ended.
import { useEffect, useRef } from 'react';
import type { SyncProgressView } from '@/lib/provider-accounts/sync-request';

const POLL_MS = 1_000;

/** `finishedBefore`: the account's last finish before the followed sync was asked for. */
export type SyncFollow = { progress: SyncProgressView; finishedBefore: string | null };

/** Nothing waits or runs any more (the job is gone once it ran, or used up its attempts). */
export function syncEnded(follow: SyncFollow): boolean {
  return follow.progress.state === 'idle';
}

/** Polls until the sync ends; calls onEnd once with the final progress. */
export function useSyncPolling(accountId: string, follow: SyncFollow | null, onUpdate: (next: SyncFollow) => void, onEnd: () => void) {
  const update = useRef(onUpdate);
  const end = useRef(onEnd);
  useEffect(() => {
    update.current = onUpdate;
    end.current = onEnd;
  });
  const following = follow !== null && !syncEnded(follow);
  const finishedBefore = follow?.finishedBefore ?? null;
  useEffect(() => {
    if (!following) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const response = await fetch(`/api/v1/provider-accounts/${encodeURIComponent(accountId)}/sync`, { cache: 'no-store' });
        if (response.ok && !stopped) {
          const next = { progress: (await response.json()) as SyncProgressView, finishedBefore };
          update.current(next);
          if (syncEnded(next)) {
            end.current();
            return;
          }
        }
      } catch {
        // A failed poll (network blip) is retried on the next tick.
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    timer = setTimeout(poll, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [accountId, following, finishedBefore]);
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

export function SyncProgressView({ follow }: { follow: SyncFollow }) {
  const { progress } = follow;
  if (!syncEnded(follow)) {
    const running = progress.state === 'running';
    return (
      <div className="rounded-md bg-slate-50 p-3 text-sm text-slate-800" data-testid="sync-progress">
        <p className="font-semibold">{running ? 'Syncing…' : 'Sync queued…'}</p>
        {running ? (
          <p>
            {progress.regionsTotal > 0 ? `${progress.regionsDone} of ${plural(progress.regionsTotal, 'region')} done · ` : ''}
            {plural(progress.seen, 'VM')} seen so far.
          </p>
        ) : (
          <p>Waiting for a background worker to start it.</p>
        )}
        {progress.regionsTotal > 0 && (
          <progress className="mt-2 h-2 w-full" max={progress.regionsTotal} value={progress.regionsDone} aria-label="Regions synced" />
        )}
        {progress.retryError && <p className="mt-1 text-xs text-red-700">Last attempt failed, retrying: {progress.retryError}</p>}
      </div>
    );
  }
  const account = progress.account;
  if ((account?.lastFinishedAt ?? null) === follow.finishedBefore) {
    return (
      <div className="rounded-md bg-slate-50 p-3 text-sm text-slate-800">
        <p className="font-semibold">The sync did not run.</p>
        <p>The account was disabled or removed before a worker got to it.</p>
      </div>
    );
  }
  const succeeded = account !== null && account.lastSuccessAt !== null && account.lastSuccessAt === account.lastFinishedAt;
  if (!succeeded) {
    return (
      <div className="rounded-md bg-red-50 p-3 text-sm text-red-900">
        <p className="font-semibold">Sync failed.</p>
        <p className="break-words">{account?.lastError ?? 'The sync did not finish.'}</p>
      </div>
    );
  }
  return (
    <div className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-900">
      <p className="font-semibold">
        Synced {account.discovered} VM{account.discovered === 1 ? '' : 's'}.
      </p>
      <div className="overflow-x-auto">
        <table className="mt-2 text-xs">
          <caption className="sr-only">VMs found per region</caption>
          <thead>
            <tr className="text-left">
              <th scope="col" className="pr-4">Region</th>
              <th scope="col" className="pr-4">Found</th>
              <th scope="col" className="pr-4">New</th>
              <th scope="col" className="pr-4">Updated</th>
              <th scope="col">Gone</th>
            </tr>
          </thead>
          <tbody>
            {progress.regions.filter((r) => (r.lastStartedAt ?? '') >= (account.lastStartedAt ?? '')).map((r) => (
              <tr key={r.region}>
                <th scope="row" className="pr-4 text-left font-mono font-normal">{r.region}</th>
                <td className="pr-4">{r.discovered}</td>
                <td className="pr-4">{r.created}</td>
                <td className="pr-4">{r.updated}</td>
                <td>{r.removed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
