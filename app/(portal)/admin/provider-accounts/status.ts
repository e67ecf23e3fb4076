import type { BadgeTone } from '@/components/ui/Badge';

export const STATUS_BADGE: Record<'unknown' | 'ok' | 'error', { label: string; tone: BadgeTone }> = {
  ok: { label: 'Connected', tone: 'success' },
  error: { label: 'Error', tone: 'danger' },
  unknown: { label: 'Not tested', tone: 'neutral' },
};

export function formatWhen(iso: string | null): string {
  return iso ? `${new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })} UTC` : 'Never';
}
