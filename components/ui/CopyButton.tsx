'use client';

import { useState } from 'react';

/** Copies `value` to the clipboard and says so (politely announced to screen readers). */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      setState('failed');
    }
  }
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        onClick={copy}
        className="rounded-md border border-slate-300 bg-surface px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50"
      >
        {label}
      </button>
      <span role="status" aria-live="polite" className="text-xs text-slate-600">
        {state === 'copied' ? 'Copied to clipboard.' : state === 'failed' ? 'Copy failed: select the text and copy it yourself.' : ''}
      </span>
    </span>
  );
}
