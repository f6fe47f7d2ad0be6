import { request } from 'undici';
import type { GatewayConfig } from '../config/gateway-schema.js';
import { AmtsboteError } from '../lib/errors.js';
import type { ReloadOutcome } from '../gateway/reload.js';

/**
 * `amtsbote config reload`: the admin API call, so that the operator sees the gateway's own verdict — the
 * file and pointer of a refused drop-in — rather than a signal that reports nothing back. Only the gateway
 * loads the configuration: a local load would report the local verdict and never reach the gateway. Without
 * `url`, only gateway.yaml's address settings are read (`gateway`, called only then). Returns the URL reached.
 */
export async function requestConfigReload(options: {
  url?: string | undefined;
  gateway: () => Pick<GatewayConfig, 'listen' | 'publicBaseUrl'>;
  env: NodeJS.ProcessEnv;
}): Promise<ReloadOutcome & { reached: string }> {
  const token = options.env.AMTSBOTE_ADMIN_TOKEN;
  if (!token)
    throw new AmtsboteError(
      'unauthenticated',
      'set AMTSBOTE_ADMIN_TOKEN to the token of an admin with the editor role',
    );
  const base = options.url ?? addressOf(options.gateway());
  const url = new URL('admin/v1/config/reload', base.replace(/\/?$/, '/'));
  const response = await request(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
  });
  const body = (await response.body.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.statusCode !== 200) {
    const errors = Array.isArray(body.errors) ? (body.errors as { pointer: string; detail: string }[]) : [];
    const detail = typeof body.detail === 'string' ? body.detail : `HTTP ${response.statusCode}`;
    const lines = errors.map((e) => `\n  ${e.pointer || '/'}: ${e.detail}`).join('');
    throw new AmtsboteError(
      'config-rejected',
      `${url.href} answered ${response.statusCode}: ${detail}${detail.includes('\n') ? '' : lines}`,
    );
  }
  return { ...(body as unknown as ReloadOutcome), reached: url.href };
}

function addressOf({ listen, publicBaseUrl }: Pick<GatewayConfig, 'listen' | 'publicBaseUrl'>): string {
  return publicBaseUrl ?? `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
}
