import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Page not found' };

export default function NotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="max-w-md rounded-2xl border border-slate-200 bg-surface p-8 text-center shadow-sm">
        <p className="text-sm font-semibold text-link">404</p>
        <h1 className="mt-1 text-2xl font-semibold tracking-tight">Page not found</h1>
        <p className="mt-2 text-sm text-slate-600">The address may be mistyped, or what it pointed to was removed.</p>
        <Link href="/catalog" className="mt-6 inline-block rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
          Back to the Catalog
        </Link>
      </div>
    </main>
  );
}
