// ARM paging: the page token is ARM's own `nextLink`, an absolute URL the SDK follows with our
// bearer token — so it must point at the configured endpoint and nowhere else.
import { ProviderError } from '../errors';

export function assertOwnPageToken(endpoint: string, pageToken: string | undefined): void {
  if (pageToken && !pageToken.startsWith(`${endpoint}/`)) {
    throw new ProviderError('invalid_request', 'Page token does not belong to this Azure endpoint');
  }
}
