'use client';

import { useActionState } from 'react';
import { CopyButton } from '@/components/ui/CopyButton';
import type { FormState } from '@/lib/validation/form-state';
import { createTokenAction } from './actions';

const EXPIRY_OPTIONS = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never (not recommended)' },
];

export function TokenCreateForm() {
  const [state, action, pending] = useActionState<FormState, FormData>(createTokenAction, null);
  const errors = state && !state.ok ? state.errors : {};
  const created = state?.ok && state.data ? { name: String(state.data.name), token: String(state.data.token), expiresAt: state.data.expiresAt as string | null } : null;
  return (
    <div className="space-y-4">
      <div aria-live="polite">
        {created && (
          <div className="rounded-lg border border-amber-300 bg-amber-50 p-4" data-testid="new-token">
            <p className="text-sm font-semibold text-amber-900">Token “{created.name}” created</p>
            <p className="mt-1 text-sm text-amber-900">
              Copy it now and keep it somewhere safe: <strong>it will not be shown again</strong>. Anyone holding it can act as you.
            </p>
            <div className="mt-3 flex flex-wrap items-center gap-2">
              <label htmlFor="new-token-value" className="sr-only">
                New API token
              </label>
              <input
                id="new-token-value"
                readOnly
                value={created.token}
                onFocus={(e) => e.currentTarget.select()}
                className="min-w-0 flex-1 rounded-md border border-amber-300 bg-surface px-3 py-1.5 font-mono text-sm"
              />
              <CopyButton value={created.token} label="Copy token" />
            </div>
            <p className="mt-2 text-xs text-amber-900">
              Use it as <code className="font-mono">Authorization: Bearer &lt;token&gt;</code>
              {created.expiresAt ? `; it expires ${new Date(created.expiresAt).toUTCString()}.` : '; it never expires.'}
            </p>
          </div>
        )}
        {state && !state.ok && state.message && (
          <p role="alert" className="text-sm text-red-700">
            {state.message}
          </p>
        )}
      </div>
      <form action={action} className="grid gap-4 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)_auto] sm:items-end" aria-label="Create an API token">
        <div>
          <label htmlFor="token-name" className="block text-sm font-medium text-slate-800">
            Name
          </label>
          <input
            id="token-name"
            name="name"
            required
            maxLength={100}
            placeholder="e.g. CI pipeline"
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? 'token-name-error' : undefined}
            className="mt-1 w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm"
          />
          {errors.name && (
            <p id="token-name-error" className="mt-1 text-xs text-red-700">
              {errors.name}
            </p>
          )}
        </div>
        <fieldset aria-describedby={errors.scopes ? 'token-scopes-error' : 'token-scopes-hint'}>
          <legend className="block text-sm font-medium text-slate-800">Scopes</legend>
          <div className="mt-1 flex gap-4 py-1.5">
            <label className="flex items-center gap-1.5 text-sm">
              <input type="checkbox" name="scopes" value="read" defaultChecked /> read
            </label>
            <label className="flex items-center gap-1.5 text-sm">
              <input type="checkbox" name="scopes" value="write" /> write
            </label>
          </div>
          {errors.scopes ? (
            <p id="token-scopes-error" className="text-xs text-red-700">
              {errors.scopes}
            </p>
          ) : (
            <p id="token-scopes-hint" className="text-xs text-slate-500">
              write allows changes
            </p>
          )}
        </fieldset>
        <div>
          <label htmlFor="token-expiry" className="block text-sm font-medium text-slate-800">
            Expires after
          </label>
          <select id="token-expiry" name="expiresInDays" defaultValue="90" className="mt-1 w-full rounded-md border border-slate-300 bg-surface px-3 py-1.5 text-sm">
            {EXPIRY_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
          {errors.expiresInDays && <p className="mt-1 text-xs text-red-700">{errors.expiresInDays}</p>}
        </div>
        <button
          type="submit"
          disabled={pending}
          className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60"
        >
          {pending ? 'Creating…' : 'Create token'}
        </button>
      </form>
    </div>
  );
}
