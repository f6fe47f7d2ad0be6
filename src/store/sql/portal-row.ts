import type { Insertable } from 'kysely';
import type { PortalTable } from '../schema.js';
import type { PortalCallback, PortalIdentity } from '../../config/portal.js';
import type { PortalToken, StoredPortal } from '../types.js';

/** A portal as its table row; JSON columns as text. */
export function portalRow(portal: StoredPortal, now: string): Insertable<PortalTable> {
  return {
    id: portal.id,
    name: portal.name,
    token_hashes: JSON.stringify(portal.tokens),
    services: JSON.stringify(portal.services),
    regions: JSON.stringify(portal.regions),
    callback: portal.callback ? JSON.stringify(portal.callback) : null,
    identity: portal.identity ? JSON.stringify(portal.identity) : null,
    created_at: now,
    updated_at: now,
  };
}

/** A portal from its table row. */
export function portalFromRow(r: PortalTable): StoredPortal {
  return {
    id: r.id,
    name: r.name,
    tokens: JSON.parse(r.token_hashes) as PortalToken[],
    services: JSON.parse(r.services) as string[],
    regions: JSON.parse(r.regions) as string[],
    callback: r.callback ? (JSON.parse(r.callback) as PortalCallback) : undefined,
    identity: r.identity ? (JSON.parse(r.identity) as PortalIdentity) : undefined,
  };
}
