import type { PostedReply } from './reply-format.js';

/**
 * Posts a reply to the gateway (`POST /v1/replies`); resolves with the gateway's answer. The signed metadata
 * authenticates it, as a receipt's signature does: no other credential is sent.
 */
export async function sendReply(
  gatewayUrl: string,
  reply: PostedReply,
  options: { timeoutMs?: number } = {},
): Promise<{ status: number; body: string; location: string | null }> {
  const res = await fetch(new URL('v1/replies', gatewayUrl.endsWith('/') ? gatewayUrl : gatewayUrl + '/'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, application/problem+json' },
    body: JSON.stringify(reply),
    signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
  });
  return { status: res.status, body: await res.text(), location: res.headers.get('location') };
}
