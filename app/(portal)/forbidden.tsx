// Rendered inside the portal shell (HTTP 403) when a page calls forbidden() through requirePrincipal.
import Link from 'next/link';

export default function ForbiddenPage() {
  return (
    <div className="flex justify-center py-10">
      <title>Not allowed · Skyport</title>
      <div className="max-w-md rounded-2xl border border-slate-200 bg-surface p-8 text-center shadow-sm dark:border-slate-700 dark:bg-slate-900">
        <p className="text-sm font-semibold text-link">403</p>
        <h1 className="mt-1 text-2xl font-semibold tracking-tight">You are not allowed to see this page</h1>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">
          Your role does not include this part of Skyport. If you need it, ask an administrator to change your role.
        </p>
        <Link href="/catalog" className="mt-6 inline-block rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
          Back to the Catalog
        </Link>
      </div>
    </div>
  );
}
