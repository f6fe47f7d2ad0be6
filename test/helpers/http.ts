import { Agent, fetch as undiciFetch, interceptors, type RequestInit, type Response } from 'undici';

export const demoToken = 'amt24-demo-token';

/**
 * The tests' HTTP client. A request that finds its pooled connection closed by the server (the server's idle
 * timeout ran out just as the request went out) is sent again (at most twice) on a fresh connection — for reads only,
 * which may be repeated; no status code is ever retried, since tests assert on 429 and 503.
 */
const testClient = new Agent().compose(
  interceptors.retry({
    maxRetries: 2,
    minTimeout: 50,
    methods: ['GET', 'HEAD', 'OPTIONS'],
    statusCodes: [],
    errorCodes: ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'],
  }),
);

/** fetch through the tests' client (see above); for the requests a test makes without the helpers below. */
export function testFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return undiciFetch(url, { dispatcher: testClient, ...init });
}

export async function postJson(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await testFetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${demoToken}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

export async function getJson(base: string, path: string, token = demoToken) {
  const res = await testFetch(base + path, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** A submission as multipart: the envelope without inline content plus one part per attachment. */
export function multipartOf(envelope: Record<string, unknown>): FormData {
  const attachments = (envelope.attachments ?? []) as {
    id: string;
    filename: string;
    mediaType: string;
    content?: string;
  }[];
  const form = new FormData();
  form.append(
    'submission',
    JSON.stringify({ ...envelope, attachments: attachments.map(({ content: _c, ...rest }) => rest) }),
  );
  for (const a of attachments) {
    form.append(a.id, new Blob([Buffer.from(a.content ?? '', 'base64')], { type: a.mediaType }), a.filename);
  }
  return form;
}

export const adminTokens = {
  editor: 'admin-demo-token',
  viewer: 'viewer-demo-token',
  leipzigEditor: 'leipzig-editor-demo-token',
} as const;

/** A call to the admin API; returns status, headers and the parsed body. */
export async function adminCall(
  base: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await testFetch(base + '/admin/v1' + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    type: res.headers.get('content-type') ?? '',
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}
