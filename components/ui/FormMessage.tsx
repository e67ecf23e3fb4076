/** The outcome of a form submission, announced to screen readers (aria-live). */
export function FormMessage({ state }: { state: { ok: boolean; message: string } | null }) {
  return (
    <p role="status" aria-live="polite" className={`text-sm ${state ? (state.ok ? 'text-emerald-700' : 'text-red-700') : 'sr-only'}`}>
      {state?.message ?? ''}
    </p>
  );
}
