// Call a Next.js route handler directly in a test: a real Request in, status + parsed body out.
export type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

export interface RouteCall {
  url: string;
  method?: string;
  /** An API token, sent as `Authorization: Bearer …`. */
  token?: string;
  params?: Record<string, string>;
  body?: unknown;
}

export async function callRoute(handler: RouteHandler, options: RouteCall) {
  const headers = new Headers();
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  if (options.body !== undefined) headers.set('content-type', 'application/json');
  const request = new Request(`http://localhost${options.url}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const response = await handler(request, { params: Promise.resolve(options.params ?? {}) });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    json: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}
