'use client';

import type { SimulationResult } from '@/lib/policy/schemas';

const OUTCOME: Record<string, string> = { auto_approve: 'auto-approved', require_approval: 'approval', reject: 'rejected' };
const route = (r: { outcome: string; policyName: string | null; levels: string[] }) =>
  `${OUTCOME[r.outcome] ?? r.outcome}${r.levels.length ? ` (${r.levels.join(' → ')})` : ''}${r.policyName ? ` · ${r.policyName}` : ''}`;

/** Results of a simulation: requests routed differently first. */
export function SimulationTable({ result }: { result: SimulationResult }) {
  const rows = [...result.rows].sort((a, b) => Number(b.changed) - Number(a.changed) || b.number - a.number);
  return (
    <div className="mt-3">
      <p className="text-sm" role="status" aria-live="polite">
        Replayed {result.evaluated} requests: <strong>{result.changed}</strong> would be routed differently.
      </p>
      {rows.length > 0 && (
        <div className="mt-2 overflow-x-auto rounded-lg border border-slate-200">
          <table className="min-w-full text-sm">
            <caption className="sr-only">Simulation results</caption>
            <thead className="bg-slate-50 text-left text-xs uppercase text-slate-600">
              <tr>
                <th scope="col" className="px-3 py-2">Request</th>
                <th scope="col" className="px-3 py-2">Project</th>
                <th scope="col" className="px-3 py-2 text-right">$/month</th>
                <th scope="col" className="px-3 py-2">Routed</th>
                <th scope="col" className="px-3 py-2">With the draft</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((r) => (
                <tr key={r.requestId} className={r.changed ? 'bg-amber-50/60' : ''}>
                  <td className="whitespace-nowrap px-3 py-2 font-medium">
                    REQ-{r.number} {r.kind === 'vm_action' && <span className="ml-1 text-xs font-normal text-slate-600">day-2 action</span>}
                    {r.changed && <span className="ml-1 text-xs font-semibold text-amber-800">changed</span>}
                  </td>
                  <td className="px-3 py-2">{r.projectName}</td>
                  <td className="px-3 py-2 text-right">{r.estimatedMonthlyCost.toFixed(2)}</td>
                  <td className="px-3 py-2">{route(r.current)}</td>
                  <td className="px-3 py-2" title={r.simulated.reason}>{route(r.simulated)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
