export const demoToken = 'amt24-demo-token';

export async function postJson(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${demoToken}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function getJson(base: string, path: string, token = demoToken) {
  const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A submission as multipart: the envelope without inline content plus one part per attachment. */
export function multipartOf(envelope: Record<string, unknown>): FormData {
  const attachments = (envelope.attachments ?? []) as { id: string; filename: string; mediaType: string; content?: string }[];
  const form = new FormData();
  form.append('submission', JSON.stringify({ ...envelope, attachments: attachments.map(({ content: _c, ...rest }) => rest) }));
  for (const a of attachments) {
    form.append(a.id, new Blob([Buffer.from(a.content ?? '', 'base64')], { type: a.mediaType }), a.filename);
  }
  return form;
}

export const adminTokens = { editor: 'admin-demo-token', viewer: 'viewer-demo-token', leipzigEditor: 'leipzig-editor-demo-token' } as const;

/** A call to the admin API; returns status, headers and the parsed body. */
export async function adminCall(base: string, method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + '/admin/v1' + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, type: res.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
