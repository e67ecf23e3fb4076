// Shared by the provider-account route tests: call a route handler as Next would, with a Bearer token.
export type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

export async function callRoute<T = unknown>(
  handler: RouteHandler,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; params?: Record<string, string> } = {},
): Promise<{ status: number; text: string; json: T; contentType: string }> {
  const headers = new Headers();
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  if (options.body !== undefined) headers.set('content-type', 'application/json');
  const request = new Request(`http://localhost${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const response = await handler(request, { params: Promise.resolve(options.params ?? {}) });
  const text = await response.text();
  return { status: response.status, text, json: (text ? JSON.parse(text) : null) as T, contentType: response.headers.get('content-type') ?? '' };
}
