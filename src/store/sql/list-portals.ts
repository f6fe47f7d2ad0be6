import type { Kysely } from 'kysely';
import type { Database, PortalTable } from '../schema.js';
import type { PortalCallback, PortalIdentity } from '../../config/portal.js';
import type { PortalToken, StoredPortal } from '../types.js';

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

export async function listPortals(db: Kysely<Database>): Promise<StoredPortal[]> {
  const rows = await db.selectFrom('portals').selectAll().orderBy('id').execute();
  return rows.map(portalFromRow);
}
