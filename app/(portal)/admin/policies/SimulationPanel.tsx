'use client';

import { useId, useState, useTransition } from 'react';
import { inputClass } from '@/components/ui/Field';
import type { SimulationResult } from '@/lib/policy/schemas';
import { runSimulation } from './actions';
import { SimulationTable } from './SimulationTable';

/** What-if: edit the policy set as JSON and replay the last N requests through it. */
export function SimulationPanel({ initialDraft }: { initialDraft: string }) {
  const id = useId();
  const [draft, setDraft] = useState(initialDraft);
  const [last, setLast] = useState(100);
  const [result, setResult] = useState<SimulationResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();

  function run() {
    start(async () => {
      const r = await runSimulation(draft, last);
      if (r.ok) {
        setResult(r.result);
        setError(null);
      } else {
        setResult(null);
        setError([r.message, ...Object.entries(r.errors).map(([f, m]) => `${f}: ${m}`)].join(' '));
      }
    });
  }

  return (
    <section aria-labelledby={`${id}-h`} className="mt-8 rounded-lg border border-slate-200 bg-surface p-4">
      <h2 id={`${id}-h`} className="text-lg font-semibold">Simulate a policy set</h2>
      <p className="text-sm text-slate-600">
        Edit the set below (it starts as the stored policies) and replay the latest submitted requests through it. Nothing is saved.
      </p>
      <label htmlFor={`${id}-draft`} className="mt-3 block text-sm font-medium">Draft policies (JSON, in any order; priority decides)</label>
      <textarea id={`${id}-draft`} value={draft} onChange={(e) => setDraft(e.target.value)} rows={10} spellCheck={false} className={`${inputClass} font-mono text-xs`} />
      <div className="mt-2 flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor={`${id}-last`} className="block text-sm font-medium">Last N requests</label>
          <input id={`${id}-last`} type="number" min={1} max={1000} value={last} onChange={(e) => setLast(Number(e.target.value))} className={`${inputClass} w-28`} />
        </div>
        <button type="button" onClick={run} disabled={pending} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60">
          {pending ? 'Simulating…' : 'Run simulation'}
        </button>
      </div>
      {error && <p className="mt-2 text-sm text-red-700" role="alert">{error}</p>}
      {result && <SimulationTable result={result} />}
    </section>
  );
}
