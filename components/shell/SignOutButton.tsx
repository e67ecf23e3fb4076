'use client';

import { signOut } from 'next-auth/react';

export function SignOutButton() {
  return (
    <button
      type="button"
      onClick={() => void signOut({ callbackUrl: '/signin' })}
      className="rounded-md border border-white/30 px-3 py-1.5 text-sm hover:bg-white/10"
    >
      Sign out
    </button>
  );
}
