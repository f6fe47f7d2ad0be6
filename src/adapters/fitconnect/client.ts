import type { Dispatcher } from 'undici';
import type { Outcome } from '../types.js';
import type { FitConnectAdapterConfig } from './config.js';
import { type ApiResponse, send } from './http.js';
import type { FitConnectReason } from './reasons.js';
import type { TokenSource } from './token.js';

export type Api = (
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  signal: AbortSignal,
  body?: { json: unknown } | { jose: string },
) => Promise<ApiResponse | Outcome<FitConnectReason>>;

/** True for an Outcome (the request never got an answer worth reading). */
export function isOutcome(value: ApiResponse | Outcome<FitConnectReason>): value is Outcome<FitConnectReason> {
  return 'kind' in value;
}

/**
 * Calls the Submission API with a bearer token under the configured version (`/v2/…`, or `/v1/…` where a
 * service still serves the documented paths). A 401 drops the cached token, so the next call gets a new one.
 */
export function submissionApi(
  config: Pick<FitConnectAdapterConfig, 'submissionApiUrl' | 'apiVersion'>,
  tokens: TokenSource,
  dispatcher: Dispatcher,
): Api {
  const base = `${config.submissionApiUrl.replace(/\/+$/, '')}/${config.apiVersion}`;
  return async (method, path, signal, body) => {
    const token = await tokens.get(signal);
    if (typeof token !== 'string') return token;
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json, application/problem+json',
    };
    let payload: string | undefined;
    if (body && 'json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body) {
      headers['content-type'] = 'application/jose';
      payload = body.jose;
    }
    const response = await send(base + path, { method, headers, body: payload, dispatcher, signal });
    if (response.status === 401) tokens.invalidate();
    return response;
  };
}
