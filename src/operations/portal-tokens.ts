import { randomBytes } from 'node:crypto';
import { hashToken } from '../lib/token-hash.js';
import { AmtsboteError } from '../lib/errors.js';
import type { Store } from '../store/store.js';
import type { StoredPortal } from '../store/types.js';

/** A new portal token: 256 random bits. Only its hash is stored; the token is shown once. */
export function newToken(): string {
  return 'abt_' + randomBytes(32).toString('base64url');
}

/** Adds a portal with its first token, audited as `actor` (admin API or CLI alike). */
export async function addPortal(
  store: Store,
  portal: Omit<StoredPortal, 'tokens'>,
  now: Date,
  actor: string,
): Promise<{ portal: Omit<StoredPortal, 'tokens'>; token: string }> {
  const token = newToken();
  const created = await store.insertPortal({ ...portal, tokens: [{ hash: hashToken(token) }] }, now.toISOString());
  if (!created)
    throw new AmtsboteError('conflict', `A portal with the id ${portal.id} exists already.`, [
      { pointer: '/id', detail: 'taken' },
    ]);
  // the token is shown once to the caller and never written anywhere else, the audit log included
  await store.appendAudit({
    at: now.toISOString(),
    actor,
    action: 'portals.add',
    detail: { portalId: portal.id, services: portal.services, regions: portal.regions },
  });
  return { portal, token };
}

/** Attempts at a rotation before giving up when other rotations of the same portal keep coming in between. */
const rotationAttempts = 5;

/**
 * Issues a new token; the tokens valid until now stay valid for `overlapHours`, so the portal can switch
 * without an outage. Tokens whose overlap has passed are dropped. The write succeeds only if the tokens are
 * still those read, so two admins rotating at once on two instances both get a token that works. Audited as
 * `actor` (admin API or CLI alike).
 */
export async function rotatePortalToken(
  store: Store,
  id: string,
  now: Date,
  overlapHours: number,
  actor: string,
): Promise<{ portalId: string; token: string; previousValidUntil: string }> {
  const previousValidUntil = new Date(now.getTime() + overlapHours * 3_600_000).toISOString();
  const token = newToken();
  for (let attempt = 0; attempt < rotationAttempts; attempt++) {
    const portal = await store.getPortal(id);
    if (!portal) throw new AmtsboteError('not-found', 'No such portal.');
    const kept = portal.tokens
      .filter((t) => t.notAfter === undefined || Date.parse(t.notAfter) > now.getTime())
      .map((t) => ({
        hash: t.hash,
        notAfter: t.notAfter !== undefined && t.notAfter < previousValidUntil ? t.notAfter : previousValidUntil,
      }));
    if (await store.setPortalTokens(id, [...kept, { hash: hashToken(token) }], now.toISOString(), portal.tokens)) {
      await store.appendAudit({
        at: now.toISOString(),
        actor,
        action: 'portals.rotate-token',
        detail: { portalId: id, previousValidUntil },
      });
      return { portalId: id, token, previousValidUntil };
    }
  }
  throw new AmtsboteError(
    'conflict',
    `The tokens of portal ${id} changed ${rotationAttempts} times while rotating; try again.`,
  );
}
