'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { ConnectionTestOutcome } from '@/lib/provider-accounts/service';
import type { SyncProgressView as SyncProgressData } from '@/lib/provider-accounts/sync-request';
import { syncNowAction, testConnectionAction } from './actions';
import { syncEnded, SyncProgressView, useSyncPolling, type SyncFollow } from './SyncProgress';

type Result =
  | { kind: 'test'; outcome: ConnectionTestOutcome }
  | { kind: 'sync'; follow: SyncFollow }
  | { kind: 'sync-refused'; message: string }
  | { kind: 'crash'; message: string };

function ErrorDetails({ error }: { error?: { code: string; message: string; providerCode?: string; providerMessage?: string; httpStatus?: number } }) {
  if (!error) return null;
  return (
    <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-1 text-xs">
      <dt className="font-semibold">Code</dt>
      <dd className="font-mono">{error.code}</dd>
      {error.providerCode && (
        <>
          <dt className="font-semibold">Provider code</dt>
          <dd className="font-mono">{error.providerCode}</dd>
        </>
      )}
      {error.httpStatus !== undefined && (
        <>
          <dt className="font-semibold">HTTP status</dt>
          <dd>{error.httpStatus}</dd>
        </>
      )}
      {error.providerMessage && (
        <>
          <dt className="font-semibold">Provider message</dt>
          <dd className="break-words">{error.providerMessage}</dd>
        </>
      )}
    </dl>
  );
}

function ResultView({ result }: { result: Result }) {
  if (result.kind === 'crash') {
    return <div className="rounded-md bg-red-50 p-3 text-sm text-red-800">{result.message}</div>;
  }
  if (result.kind === 'test') {
    const { outcome } = result;
    return outcome.ok ? (
      <div className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-900">
        <p className="font-semibold">Connection works.</p>
        <p>{outcome.detail}</p>
        <p className="mt-1">
          Found {outcome.regions.length} region{outcome.regions.length === 1 ? '' : 's'}. Enable the ones Skyport may use below, then sync.
        </p>
      </div>
    ) : (
      <div className="rounded-md bg-red-50 p-3 text-sm text-red-900">
        <p className="font-semibold">Connection failed.</p>
        <p>{outcome.detail}</p>
        <ErrorDetails error={outcome.error} />
      </div>
    );
  }
  if (result.kind === 'sync-refused') {
    return (
      <div className="rounded-md bg-red-50 p-3 text-sm text-red-900">
        <p className="font-semibold">Sync not started.</p>
        <p>{result.message}</p>
      </div>
    );
  }
  return <SyncProgressView follow={result.follow} />;
}

export function ConnectionPanel({ accountId, canSync, initialSync }: { accountId: string; canSync: boolean; initialSync: SyncProgressData }) {
  const router = useRouter();
  // A sync already queued or running when the page loaded (schedule, another admin) is followed too.
  const [result, setResult] = useState<Result | null>(() =>
    initialSync.state === 'idle' ? null : { kind: 'sync', follow: { progress: initialSync, finishedBefore: initialSync.account?.lastFinishedAt ?? null } },
  );
  const [running, setRunning] = useState<'test' | 'sync' | null>(null);
  const [, startTransition] = useTransition();
  const follow = result?.kind === 'sync' ? result.follow : null;
  const syncing = follow !== null && !syncEnded(follow);
  useSyncPolling(
    accountId,
    follow,
    (next) => setResult({ kind: 'sync', follow: next }),
    () => startTransition(() => router.refresh()),
  );

  async function run(kind: 'test' | 'sync') {
    setRunning(kind);
    setResult(null);
    try {
      if (kind === 'test') {
        setResult({ kind, outcome: await testConnectionAction(accountId) });
      } else {
        const outcome = await syncNowAction(accountId);
        setResult(
          outcome.ok
            ? {
                kind: 'sync',
                follow: { progress: outcome.queued.progress, finishedBefore: outcome.queued.previousFinishedAt },
              }
            : { kind: 'sync-refused', message: outcome.message },
        );
      }
      startTransition(() => router.refresh());
    } catch {
      setResult({ kind: 'crash', message: 'Something went wrong on our side. Try again, or check the server log.' });
    } finally {
      setRunning(null);
    }
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-3">
        <button
          type="button"
          onClick={() => run('test')}
          disabled={running !== null}
          className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60"
        >
          {running === 'test' ? 'Testing…' : 'Test connection'}
        </button>
        <button
          type="button"
          onClick={() => run('sync')}
          disabled={running !== null || syncing || !canSync}
          aria-describedby={canSync ? undefined : 'sync-hint'}
          className="rounded-md border border-slate-300 bg-surface px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-60"
        >
          {running === 'sync' ? 'Queueing…' : syncing ? 'Syncing…' : 'Sync now'}
        </button>
      </div>
      {!canSync && (
        <p id="sync-hint" className="text-xs text-slate-600">
          Enable at least one region to sync.
        </p>
      )}
      <div aria-live="polite" aria-busy={running !== null || syncing} data-testid="connection-result">
        {running && <p className="text-sm text-slate-600">{running === 'test' ? 'Testing the connection…' : 'Queueing the sync…'}</p>}
        {result && <ResultView result={result} />}
      </div>
    </div>
  );
}
