// DescribeInstances paging: EC2's own NextToken is the page token; only the page size is ours.

/** DescribeInstances accepts MaxResults 5…1000. */
export const MIN_PAGE_SIZE = 5;
export const MAX_PAGE_SIZE = 1000;

/** The caller's page-size hint, clamped to what EC2 accepts (default: the largest page). */
export function pageSizeFor(hint: number | undefined): number {
  return Math.min(MAX_PAGE_SIZE, Math.max(MIN_PAGE_SIZE, hint ?? MAX_PAGE_SIZE));
}
