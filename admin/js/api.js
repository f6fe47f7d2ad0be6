// Every action of the page is a call to the admin API. The token lives in session storage only: it is gone
// when the tab closes and never appears in a URL.
const tokenKey = 'amtsbote.adminToken';

export const session = {
  token: () => sessionStorage.getItem(tokenKey),
  signIn: (token) => sessionStorage.setItem(tokenKey, token),
  signOut: () => sessionStorage.removeItem(tokenKey),
};

/** A problem+json answer (RFC 9457) as an error: `problem.errors` carries JSON pointers to fields. */
export class ProblemError extends Error {
  constructor(status, problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(method, path, body, headers = {}) {
  const response = await fetch('/admin/v1' + path, {
    method,
    headers: {
      authorization: `Bearer ${session.token() ?? ''}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : {};
  if (!response.ok) throw new ProblemError(response.status, data);
  return { data, etag: response.headers.get('etag') };
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}
