'use client';

import { signIn } from 'next-auth/react';
import { useState, type FormEvent } from 'react';

interface Props {
  error: string | null;
  callbackUrl: string;
  oidc: { name: string } | null;
}

export function SignInForm({ error, callbackUrl, oidc }: Props) {
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    const form = new FormData(event.currentTarget);
    await signIn('credentials', {
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
      callbackUrl,
    });
    setPending(false);
  }

  return (
    <div className="space-y-5">
      {error && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      {oidc && (
        <>
          <button
            type="button"
            onClick={() => void signIn('oidc', { callbackUrl })}
            className="w-full rounded-md bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700"
          >
            Continue with {oidc.name}
          </button>
          <div className="flex items-center gap-3 text-xs text-slate-400" aria-hidden>
            <span className="h-px flex-1 bg-slate-200" /> or <span className="h-px flex-1 bg-slate-200" />
          </div>
        </>
      )}
      <form onSubmit={onSubmit} className="space-y-4" aria-label="Sign in with e-mail and password">
        <div>
          <label htmlFor="email" className="block text-sm font-medium text-slate-700">E-mail</label>
          <input id="email" name="email" type="email" autoComplete="username" required
            className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 focus:border-brand-500" />
        </div>
        <div>
          <label htmlFor="password" className="block text-sm font-medium text-slate-700">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required
            className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 focus:border-brand-500" />
        </div>
        <button type="submit" disabled={pending}
          className="w-full rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-60">
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
