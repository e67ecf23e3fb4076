// The signed-in principal for server components and server actions (pages call lib/ with it).
import { headers } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';
import { assertCan, type Capability } from '@/lib/auth/permissions';
import type { Principal } from '@/lib/auth/principal';
import { principalFromHeaders } from '@/lib/auth/request-principal';
import { db } from '@/lib/db/client';
import { ForbiddenError } from '@/lib/errors';

export async function currentPrincipal(): Promise<Principal | null> {
  const resolved = await principalFromHeaders(db(), await headers());
  return resolved.principal;
}

/** For pages: redirect to sign-in when anonymous; render the 403 page (inside the shell, HTTP 403) when not allowed. */
export async function requirePrincipal(capability?: Capability): Promise<Principal> {
  const principal = await currentPrincipal();
  if (!principal) redirect('/signin');
  if (capability) {
    try {
      assertCan(principal, capability);
    } catch (error) {
      if (error instanceof ForbiddenError) forbidden();
      throw error;
    }
  }
  return principal;
}
