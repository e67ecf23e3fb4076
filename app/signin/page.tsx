import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/SignInForm';
import { isOidcConfigured, LOCKED_ERROR_PREFIX, oidcDisplayName } from '@/lib/auth/nextauth';
import { currentPrincipal } from '../_lib/session';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

function errorMessage(error: string | undefined): string | null {
  if (!error) return null;
  if (error.startsWith(LOCKED_ERROR_PREFIX)) {
    const seconds = Number(error.slice(LOCKED_ERROR_PREFIX.length)) || 60;
    return `Too many failed attempts. This account is locked for ${seconds >= 60 ? `${Math.ceil(seconds / 60)} minute(s)` : `${seconds} seconds`}.`;
  }
  if (error === 'CredentialsSignin') return 'Wrong e-mail or password.';
  if (error === 'AccessDenied') return 'This account is disabled. Ask an administrator.';
  return 'Sign-in failed. Try again, or use another method.';
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string; callbackUrl?: string }> }) {
  if (await currentPrincipal()) redirect('/catalog');
  const { error, callbackUrl } = await searchParams;
  const safeCallback = callbackUrl?.startsWith('/') && !callbackUrl.startsWith('//') ? callbackUrl : '/catalog';
  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-br from-brand-900 to-brand-700 p-4">
      <div className="w-full max-w-sm rounded-2xl bg-surface p-8 shadow-xl">
        <div className="mb-6 flex items-center gap-2">
          <span aria-hidden className="grid h-9 w-9 place-items-center rounded-lg bg-brand-600 font-bold text-white">S</span>
          <div>
            <h1 className="text-xl font-semibold">Sign in to Skyport</h1>
            <p className="text-sm text-slate-500">Self-service cloud for VMware, AWS, Azure and GCP</p>
          </div>
        </div>
        <SignInForm
          error={errorMessage(error)}
          callbackUrl={safeCallback}
          oidc={isOidcConfigured() ? { name: oidcDisplayName() } : null}
        />
      </div>
    </main>
  );
}
