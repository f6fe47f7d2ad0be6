import type { RoutingVersionTable } from '../schema.js';
import type { RoutingVersion } from '../types.js';

export function routingVersionFromRow(r: RoutingVersionTable): RoutingVersion {
  return {
    version: r.version,
    document: JSON.parse(r.document) as unknown,
    author: r.author,
    note: r.note,
    createdAt: r.created_at,
  };
}
