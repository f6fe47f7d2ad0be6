import { request } from 'undici';
import type { LoadedConfig } from '../config/load.js';
import { AmtsboteError } from '../lib/errors.js';
import type { ReloadOutcome } from '../gateway/reload.js';

/**
 * `amtsbote config reload`: the admin API call, so that the operator sees the gateway's own verdict — the
 * file and pointer of a refused drop-in — rather than a signal that reports nothing back.
 */
export async function requestConfigReload(options: { url?: string | undefined; config: LoadedConfig; env: NodeJS.ProcessEnv }): Promise<ReloadOutcome> {
  const token = options.env.AMTSBOTE_ADMIN_TOKEN;
  if (!token) throw new AmtsboteError('unauthenticated', 'set AMTSBOTE_ADMIN_TOKEN to the token of an admin with the editor role');
  const { listen, publicBaseUrl } = options.config.gateway;
  const base = options.url ?? publicBaseUrl ?? `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
  const url = new URL('admin/v1/config/reload', base.replace(/\/?$/, '/'));
  const response = await request(url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const body = (await response.body.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.statusCode !== 200) {
    const errors = Array.isArray(body.errors) ? (body.errors as { pointer: string; detail: string }[]) : [];
    const detail = typeof body.detail === 'string' ? body.detail : `HTTP ${response.statusCode}`;
    const lines = errors.map((e) => `\n  ${e.pointer || '/'}: ${e.detail}`).join('');
    throw new AmtsboteError('config-rejected', `${url.href} answered ${response.statusCode}: ${detail}${detail.includes('\n') ? '' : lines}`);
  }
  return body as unknown as ReloadOutcome;
}
