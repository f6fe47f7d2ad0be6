import { type Request, type Response, Router } from 'express';
import { AmtsboteError } from '../../lib/errors.js';
import { ruleWithin } from '../../routing/region-scope.js';
import { inboundStates, type InboundState, type InboundSubmission } from '../../store/sql/inbound-row.js';
import type { Store } from '../../store/store.js';
import { currentAdmin } from './auth.js';

export interface InboundRoutesDeps {
  store: Pick<Store, 'listInbound' | 'listEvents'>;
  clock: () => Date;
  /** The subscribed FIT-Connect destinations and the regions they serve. */
  destinations: readonly { destinationId: string; regionKey: string; client: string }[];
}

/**
 * `GET /admin/v1/inbound`: the FIT-Connect submissions picked up as a destination's subscriber — state, why one
 * waits or was rejected, the onward submission, and FIT-Connect's own deadlines (its reminder after 3 days, its
 * automatic reject after 14), so an operator sees how long a waiting case may still wait. `?state=waiting`
 * filters. A region-limited admin sees the destinations of their regions only.
 */
export function adminInboundRoutes(deps: InboundRoutesDeps): Router {
  const router = Router();
  router.get('/inbound', async (req, res) => {
    const { regions: scope } = currentAdmin(res);
    const states = typeof req.query.state === 'string' ? req.query.state.split(',') : [];
    const unknown = states.find((s) => !(inboundStates as readonly string[]).includes(s));
    if (unknown !== undefined)
      throw new AmtsboteError('invalid-query', `No inbound state ${unknown.slice(0, 40)}.`, [
        { pointer: '/state', detail: `one of ${inboundStates.join(', ')}` },
      ]);
    const visible = deps.destinations.filter((d) => !scope || ruleWithin(d.regionKey, scope));
    const regionOf = new Map(visible.map((d) => [d.destinationId, d]));
    const rows = await deps.store.listInbound({
      states: states as InboundState[],
      destinationIds: visible.map((d) => d.destinationId),
      limit: 500,
    });
    const now = deps.clock().toISOString();
    res.json({ inbound: rows.map((r) => view(r, regionOf.get(r.destinationId), now)) });
  });

  /**
   * One inbound submission and the event log of the submission it became here: the delivery service's
   * submit-submission SET and our accept, verbatim, then the destinations' receipts.
   */
  router.get('/inbound/:id', async (req: Request<{ id: string }>, res: Response) => {
    const { regions: scope } = currentAdmin(res);
    const visible = deps.destinations.filter((d) => !scope || ruleWithin(d.regionKey, scope));
    const [row] = await deps.store.listInbound({
      id: req.params.id,
      destinationIds: visible.map((d) => d.destinationId),
      limit: 1,
    });
    if (!row) throw new AmtsboteError('not-found', 'No inbound FIT-Connect submission with this id.');
    const destination = visible.find((d) => d.destinationId === row.destinationId);
    const events = row.onwardSubmissionId ? await deps.store.listEvents(row.onwardSubmissionId) : [];
    res.json({
      ...view(row, destination, deps.clock().toISOString()),
      events: events.map((e) => ({ seq: e.seq, at: e.at, type: e.type, data: e.data })),
    });
  });
  return router;
}

function view(
  r: InboundSubmission,
  destination: { regionKey: string; client: string } | undefined,
  now: string,
): Record<string, unknown> {
  return {
    fitConnect: { submissionId: r.id, caseId: r.caseId, destinationId: r.destinationId },
    client: destination?.client,
    regionKey: destination?.regionKey,
    state: r.state,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.onwardSubmissionId ? { submissionId: r.onwardSubmissionId } : {}),
    ...(r.serviceKey ? { serviceKey: r.serviceKey } : {}),
    attempts: r.attempts,
    firstSeenAt: r.firstSeenAt,
    updatedAt: r.updatedAt,
    ...(r.state === 'accepted' || r.state === 'rejected' ? {} : { nextAttemptAt: r.nextAttemptAt }),
    deadlines: {
      reminderAt: r.remindAt,
      automaticRejectAt: r.autoRejectAt,
      reminderPassed: r.remindAt <= now,
    },
  };
}
