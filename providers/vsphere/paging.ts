// listVms page tokens wrap the PropertyCollector's own continuation token plus the ContainerView
// it reads, so the view can be destroyed after the last page. Both live in the vCenter session:
// a token does not survive a re-login (the server then answers InvalidArgument → invalid_request).
import { ProviderError } from '../errors';

export interface VspherePageToken {
  /** RetrieveResult.token from RetrievePropertiesEx / ContinueRetrievePropertiesEx. */
  token: string;
  /** ContainerView moref value. */
  view: string;
}

export function encodePageToken(token: VspherePageToken): string {
  return Buffer.from(JSON.stringify({ t: token.token, v: token.view }), 'utf8').toString('base64url');
}

export function decodePageToken(encoded: string): VspherePageToken {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && 't' in parsed && 'v' in parsed) {
      const { t, v } = parsed as { t: unknown; v: unknown };
      if (typeof t === 'string' && typeof v === 'string' && t && v) return { token: t, view: v };
    }
  } catch {
    // fall through to the error below
  }
  throw new ProviderError('invalid_request', 'malformed vSphere page token');
}
