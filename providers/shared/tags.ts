import { SKYPORT_TAG_KEYS, type SkyportTags } from '../types';

/** The Skyport ownership tags as a flat map, user tags first so they can never override ours. */
export function skyportTagMap(tags: SkyportTags, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...extra,
    [SKYPORT_TAG_KEYS.owner]: tags.owner,
    [SKYPORT_TAG_KEYS.project]: tags.project,
    [SKYPORT_TAG_KEYS.request]: tags.request,
    [SKYPORT_TAG_KEYS.skyportId]: tags.skyportId,
  };
}

/** Read Skyport ownership back from a VM's tags; null when any of the four is missing. */
export function parseSkyportTags(tags: Record<string, string>): SkyportTags | null {
  const owner = tags[SKYPORT_TAG_KEYS.owner];
  const project = tags[SKYPORT_TAG_KEYS.project];
  const request = tags[SKYPORT_TAG_KEYS.request];
  const skyportId = tags[SKYPORT_TAG_KEYS.skyportId];
  if (!owner || !project || !request || !skyportId) return null;
  return { owner, project, request, skyportId };
}

/**
 * GCE labels allow only [a-z0-9_-], at most 63 chars. Values we write (ids, e-mails) are encoded
 * reversibly: lower-case letters/digits/- kept, everything else as `_xx` hex.
 */
export function encodeLabelValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[a-z0-9-]/.test(ch) ? ch : `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out.slice(0, 63);
}

export function decodeLabelValue(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '_' && i + 2 < value.length && /^[0-9a-f]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(ch.charCodeAt(0));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
