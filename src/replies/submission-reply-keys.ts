import { fetchJwks, type KeyResolver } from '../seal/index.js';
import type { ReplyKeySource } from '../store/reply-types.js';
import type { Store } from '../store/store.js';
import type { SubmissionRecord } from '../store/types.js';

/** One key a reply to the submission may be encrypted to, with where it comes from. */
export interface SubmissionReplyKey {
  kid: string;
  source: ReplyKeySource;
  /** Set for a portal key in its rotation overlap. */
  notAfter?: string | undefined;
}

/**
 * The keys a reply to this submission may be encrypted to now: the envelope's own `replyChannel.encryptionKey`
 * alone where it carried one (it wins), else the portal's registered reply keys — the current one first, then
 * those in their rotation overlap. Empty: the submission cannot be answered through the gateway.
 */
export async function submissionReplyKeys(
  store: Pick<Store, 'listPortalReplyKeys'>,
  submission: Pick<SubmissionRecord, 'portalId' | 'replyKey'>,
  now: Date,
): Promise<SubmissionReplyKey[]> {
  if (submission.replyKey && typeof submission.replyKey.kid === 'string')
    return [{ kid: submission.replyKey.kid, source: { jwk: submission.replyKey } }];
  const keys = await store.listPortalReplyKeys(submission.portalId);
  return keys
    .filter((k) => k.notAfter === undefined || Date.parse(k.notAfter) > now.getTime())
    .sort((a, b) => Number(a.notAfter !== undefined) - Number(b.notAfter !== undefined))
    .map((k) => ({ kid: k.kid, source: k.source, notAfter: k.notAfter }));
}

/**
 * The public JWK of a reply key, as the destination encrypts to it: checked by the resolver as recipients' keys
 * are (so an unusable key is never handed out), an inline key as registered, a JWKS URL's key from its set.
 */
export async function replyKeyJwk(
  resolver: KeyResolver,
  key: SubmissionReplyKey,
): Promise<Record<string, unknown> | undefined> {
  await resolver.encryptionKey(key.source);
  if ('jwk' in key.source) return publicMembers(key.source.jwk);
  const jwks = await fetchJwks(key.source.jwksUrl);
  const found = jwks.keys.find((k) => k.kid === key.kid);
  return found && publicMembers(found);
}

/** The members a destination needs to encrypt to the key: never anything private, whatever was registered. */
function publicMembers(jwk: Record<string, unknown>): Record<string, unknown> {
  const { kty, n, e, kid, alg, use, key_ops: keyOps, x5c } = jwk;
  return Object.fromEntries(
    Object.entries({ kty, n, e, kid, alg: alg ?? 'RSA-OAEP-256', use, key_ops: keyOps, x5c }).filter(
      ([, v]) => v !== undefined,
    ),
  );
}
