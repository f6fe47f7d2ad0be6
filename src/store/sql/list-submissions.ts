import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { DeliveryState } from '../types.js';

export interface SubmissionSummary {
  submissionId: string;
  serviceKey: string;
  regionKey: string;
  reference?: string | undefined;
  status: DeliveryState;
  receivedAt: string;
  updatedAt: string;
}

/** A portal's submissions changed since a time, for reconciliation; keyset-paged by (updated_at, id). */
export async function listSubmissions(
  db: Kysely<Database>,
  filter: {
    portalId: string;
    since?: string | undefined;
    status?: DeliveryState | undefined;
    after?: { updatedAt: string; id: string } | undefined;
    limit: number;
  },
): Promise<SubmissionSummary[]> {
  let query = db
    .selectFrom('submissions')
    .select(['id', 'service_key', 'region_key', 'reference', 'status', 'received_at', 'updated_at'])
    .where('portal_id', '=', filter.portalId)
    .orderBy('updated_at')
    .orderBy('id')
    .limit(filter.limit);
  if (filter.since) query = query.where('updated_at', '>=', filter.since);
  if (filter.status) query = query.where('status', '=', filter.status);
  const after = filter.after;
  if (after)
    query = query.where((eb) =>
      eb.or([
        eb('updated_at', '>', after.updatedAt),
        eb.and([eb('updated_at', '=', after.updatedAt), eb('id', '>', after.id)]),
      ]),
    );
  const rows = await query.execute();
  return rows.map((r) => ({
    submissionId: r.id,
    serviceKey: r.service_key,
    regionKey: r.region_key,
    reference: r.reference ?? undefined,
    status: r.status as DeliveryState,
    receivedAt: r.received_at,
    updatedAt: r.updated_at,
  }));
}
