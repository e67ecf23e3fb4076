'use client';

// Uploads a cost file to the API (multipart; the server streams it to disk) with upload progress,
// then follows the background import's progress (phase, rows read, rows/s) by polling until it
// succeeds or fails, showing the row-level errors of a rejected file.
import { useEffect, useId, useState } from 'react';
import { fieldProps, inputClass } from '@/components/ui/Field';
import type { CostImportView } from '@/lib/billing/schemas';

type Upload = { phase: 'idle' } | { phase: 'uploading'; percent: number | null } | { phase: 'error'; message: string } | { phase: 'import'; view: CostImportView };

/** What each import phase means to the admin. */
const PHASE_LABELS: Record<string, string> = {
  queued: 'Queued',
  copy: 'Reading, checking and linking the rows into the database',
  validate: 'Validating and building daily totals',
  index: 'Indexing',
  rows: 'Reading row by row (the file needs per-cell normalisation)',
  swap: 'Replacing the billing period',
  done: 'Done',
};

/** XMLHttpRequest, not fetch: only it reports upload progress. */
function post(form: FormData, onProgress: (percent: number | null) => void): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/costs/imports');
    xhr.upload.onprogress = (e) => onProgress(e.lengthComputable ? Math.round((e.loaded * 100) / e.total) : null);
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: reported by status
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => resolve({ status: 0, body: null });
    xhr.send(form);
  });
}

export function UploadForm() {
  const id = useId();
  const [upload, setUpload] = useState<Upload>({ phase: 'idle' });
  const importId = upload.phase === 'import' ? upload.view.id : null;
  const running = upload.phase === 'import' && (upload.view.status === 'queued' || upload.view.status === 'running');

  useEffect(() => {
    if (!importId || !running) return;
    const timer = setInterval(async () => {
      const res = await fetch(`/api/v1/costs/imports/${importId}`, { cache: 'no-store' });
      if (res.ok) setUpload({ phase: 'import', view: (await res.json()) as CostImportView });
    }, 1000);
    return () => clearInterval(timer);
  }, [importId, running]);

  async function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setUpload({ phase: 'uploading', percent: 0 });
    const res = await post(form, (percent) => setUpload({ phase: 'uploading', percent }));
    const body = res.body as (CostImportView & { detail?: string }) | null;
    if (res.status < 200 || res.status >= 300 || !body) setUpload({ phase: 'error', message: body?.detail ?? `Upload failed (HTTP ${res.status}).` });
    else setUpload({ phase: 'import', view: body });
  }

  const view = upload.phase === 'import' ? upload.view : null;
  return (
    <div className="space-y-4">
      <form onSubmit={submit} className="grid gap-4 sm:grid-cols-2" aria-label="Upload a cost file">
        <div className="sm:col-span-2">
          <label htmlFor={`${id}-file`} className="block text-sm font-medium text-slate-800">FOCUS file (CSV, .csv.gz or Parquet; native Azure EA exports too) <span className="text-red-700" aria-hidden>*</span></label>
          <input name="file" type="file" required accept=".csv,.gz,.parquet,text/csv,application/gzip" className={inputClass} {...fieldProps(`${id}-file`, { hint: true })} />
          <p id={`${id}-file-hint`} className="mt-1 text-xs text-slate-500">Re-importing a billing period of the same provider and account replaces it. A file with any invalid row is rejected whole.</p>
        </div>
        <div>
          <label htmlFor={`${id}-provider`} className="block text-sm font-medium text-slate-800">Provider name, if the file has none</label>
          <input id={`${id}-provider`} name="providerName" maxLength={200} className={inputClass} />
        </div>
        <div>
          <label htmlFor={`${id}-currency`} className="block text-sm font-medium text-slate-800">Currency, if the file has none</label>
          <input id={`${id}-currency`} name="billingCurrency" maxLength={3} placeholder="USD" className={inputClass} />
        </div>
        <div className="sm:col-span-2">
          <button type="submit" disabled={upload.phase === 'uploading' || running} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:cursor-wait disabled:bg-brand-500/60">
            {upload.phase === 'uploading' ? `Uploading… ${upload.percent === null ? '' : `${upload.percent}%`}` : running ? 'Importing…' : 'Import'}
          </button>
        </div>
      </form>

      <div role="status" aria-live="polite" className="text-sm" data-testid="import-status">
        {upload.phase === 'error' && <p className="text-red-700">{upload.message}</p>}
        {upload.phase === 'uploading' && (
          <progress className="w-full" max={100} value={upload.percent ?? undefined} aria-label="Upload progress" />
        )}
        {view && (
          <div className="rounded-xl border border-slate-200 bg-surface p-4">
            <p className="font-medium">
              {view.fileName}: <span data-testid="import-state">{view.status}</span>
            </p>
            {running && view.phase && (
              <p className="text-slate-700" data-testid="import-phase">
                {PHASE_LABELS[view.phase] ?? view.phase}
              </p>
            )}
            <p className="text-slate-600">
              {view.rowsRead.toLocaleString('en-US')} rows read · {view.rowsPerSecond.toLocaleString('en-US')} rows/s
              {view.status === 'succeeded' && ` · ${view.rowCount.toLocaleString('en-US')} rows imported`}
            </p>
            {running && <progress className="mt-2 w-full" aria-label="Import in progress" />}
            {view.message && <p className={view.status === 'failed' ? 'mt-1 text-red-700' : 'mt-1 text-emerald-700'}>{view.message}</p>}
            {view.periods.length > 0 && (
              <ul className="mt-2 list-disc pl-5 text-slate-700">
                {view.periods.map((p) => (
                  <li key={`${p.month}-${p.providerName}-${p.billingAccountId ?? ''}`}>
                    {p.month.slice(0, 7)} · {p.providerName} · account {p.billingAccountId ?? '—'}: {p.rows} rows{p.replacedRows ? ` (replaced ${p.replacedRows})` : ''}
                  </li>
                ))}
              </ul>
            )}
            {view.errors.length > 0 && (
              <div className="mt-3 overflow-x-auto">
                <table className="min-w-full text-xs">
                  <caption className="text-left font-medium">Rejected rows (first {view.errors.length})</caption>
                  <thead><tr><th scope="col" className="pr-3 text-left">Row</th><th scope="col" className="pr-3 text-left">Column</th><th scope="col" className="pr-3 text-left">Value</th><th scope="col" className="text-left">Why</th></tr></thead>
                  <tbody>
                    {view.errors.map((e, i) => (
                      <tr key={i}><td className="pr-3">{e.row}</td><td className="pr-3">{e.column}</td><td className="pr-3 break-all">{e.value}</td><td>{e.message}</td></tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
