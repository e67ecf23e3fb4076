import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Not allowed' };

export default function ForbiddenPage() {
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="max-w-md rounded-2xl border border-slate-200 bg-white p-8 text-center shadow-sm">
        <p className="text-sm font-semibold text-brand-600">403</p>
        <h1 className="mt-1 text-2xl font-semibold tracking-tight">You are not allowed to see this page</h1>
        <p className="mt-2 text-sm text-slate-600">
          Your role does not include this part of Skyport. If you need it, ask an administrator to change your role.
        </p>
        <Link href="/catalog" className="mt-6 inline-block rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
          Back to the Catalog
        </Link>
      </div>
    </main>
  );
}
