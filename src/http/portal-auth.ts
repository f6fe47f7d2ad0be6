import type { NextFunction, Request, Response } from 'express';
import { activeTokenHashes, tokenMatches } from '../lib/token-hash.js';
import { AmtsboteError } from '../lib/errors.js';
import type { Store } from '../store/store.js';
import type { StoredPortal } from '../store/types.js';
import type { RateLimits } from './rate-limits.js';

/**
 * Portals are read from the store (the source of truth after seeding), cached briefly; `fresh` reads them
 * again at once (a token the cache does not know may have been added a moment ago, on any instance).
 */
export function portalDirectory(store: Store, cacheMs = 2000) {
  let cached: { at: number; portals: StoredPortal[] } | undefined;
  return async (fresh = false): Promise<StoredPortal[]> => {
    const now = Date.now();
    if (fresh || !cached || now - cached.at > cacheMs) cached = { at: now, portals: await store.listPortals() };
    return cached.portals;
  };
}

export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(header) : null;
  return match?.[1];
}

/**
 * Authenticates a portal by bearer token (every token hash is compared, in constant time each), then takes a
 * token from its rate-limit bucket.
 */
export function portalAuth(
  portals: (fresh?: boolean) => Promise<StoredPortal[]>,
  limits: Pick<RateLimits, 'portalRequest'>,
) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = bearerToken(req);
    if (!token) throw new AmtsboteError('unauthenticated', 'Send the portal token as "Authorization: Bearer <token>".');
    const now = new Date();
    const find = (list: StoredPortal[]) => list.find((p) => tokenMatches(token, activeTokenHashes(p.tokens, now)));
    // an unknown token reads the store once more (bounded: failed sign-ins are rate-limited per client)
    const portal = find(await portals()) ?? find(await portals(true));
    if (!portal) throw new AmtsboteError('unauthenticated', 'The token is not valid.');
    await limits.portalRequest(portal.id);
    res.locals.portal = portal;
    next();
  };
}

export function currentPortal(res: Response): StoredPortal {
  return res.locals.portal as StoredPortal;
}
