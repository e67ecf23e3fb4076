'use client';

import { useActionState } from 'react';
import type { FormState } from '@/lib/validation/form-state';

interface Props {
  regions: { code: string; name: string; enabled: boolean; zones: string[] }[];
  action: (previous: FormState, form: FormData) => Promise<FormState>;
}

export function RegionsForm({ regions, action }: Props) {
  const [state, formAction, pending] = useActionState<FormState, FormData>(action, null);
  return (
    <form action={formAction} className="space-y-3">
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Regions Skyport may use</legend>
        <ul className="mt-2 grid grid-cols-[repeat(auto-fill,minmax(10rem,1fr))] gap-2">
          {regions.map((region) => (
            <li key={region.code}>
              <label className="flex items-start gap-2 rounded-md border border-slate-200 px-3 py-2 text-sm hover:bg-slate-50">
                <input type="checkbox" name="regions" value={region.code} defaultChecked={region.enabled} className="mt-0.5" />
                <span>
                  <span className="whitespace-nowrap font-mono">{region.code}</span>
                  {region.name !== region.code && <span className="block text-xs text-slate-500">{region.name}</span>}
                  {region.zones.length > 0 && <span className="block text-xs text-slate-500">{region.zones.length} zones</span>}
                </span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={pending} className="rounded-md border border-slate-300 bg-surface px-4 py-2 text-sm font-medium hover:bg-slate-50 disabled:opacity-60">
          {pending ? 'Saving…' : 'Save regions'}
        </button>
        <p aria-live="polite" className={`text-sm ${state && !state.ok ? 'text-red-700' : 'text-slate-700'}`}>
          {state?.message}
        </p>
      </div>
    </form>
  );
}
