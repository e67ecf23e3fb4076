// A region's VMs live in several zones; Skyport's page token walks them in order, carrying the
// zone's own GCE page token so each page is one `instances.list` call passed straight through.
import { ProviderError } from '../errors';

export interface RegionCursor {
  /** Index into the region's zones (sorted). */
  zoneIndex: number;
  /** GCE `nextPageToken` inside that zone; absent for the zone's first page. */
  zonePageToken?: string;
}

export function encodeRegionCursor(cursor: RegionCursor): string {
  return Buffer.from(JSON.stringify({ z: cursor.zoneIndex, t: cursor.zonePageToken })).toString('base64url');
}

export function decodeRegionCursor(token: string | undefined): RegionCursor {
  if (!token) return { zoneIndex: 0 };
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const value = parsed as { z?: unknown; t?: unknown };
    if (typeof value.z === 'number' && Number.isInteger(value.z) && value.z >= 0 && (value.t === undefined || typeof value.t === 'string')) {
      return value.t === undefined ? { zoneIndex: value.z } : { zoneIndex: value.z, zonePageToken: value.t };
    }
  } catch {
    // fall through
  }
  throw new ProviderError('invalid_request', 'Invalid page token for a GCE VM listing', { retryable: false });
}

/** Where the next page starts, given what the current zone's page said; undefined at the end. */
export function nextRegionCursor(current: RegionCursor, zoneNextPageToken: string | null | undefined, zoneCount: number): RegionCursor | undefined {
  if (zoneNextPageToken) return { zoneIndex: current.zoneIndex, zonePageToken: zoneNextPageToken };
  return current.zoneIndex + 1 < zoneCount ? { zoneIndex: current.zoneIndex + 1 } : undefined;
}
