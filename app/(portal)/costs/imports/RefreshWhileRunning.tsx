'use client';

// Re-renders the server page every 2 s while an import in its list is queued or running (uploads
// by others, the watched-folder job), so their phase and rows read stay live; idle otherwise.
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

export function RefreshWhileRunning({ active }: { active: boolean }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), 2000);
    return () => clearInterval(timer);
  }, [active, router]);
  return null;
}
