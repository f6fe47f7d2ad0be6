import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { AmtsboteError } from '../../lib/errors.js';
import type { DeliveryControl } from '../../delivery/worker.js';
import { readTransportReferences } from '../../delivery/read-transport-references.js';
import { zodProblem } from '../../lib/zod-field-errors.js';
import type { RoutingState } from '../../routing/routing-state.js';
import type { Store } from '../../store/store.js';
import { deliveryStates, type DeliveryFilter } from '../../store/types.js';
import { currentAdmin, requireEditor } from './auth.js';
import type { Reroute } from '../../delivery/reroute.js';
import { executeReplayPlan, makeReplayPlan } from '../../operations/replay-dead-letters.js';

const filterSchema = z.strictObject({
  state: z.enum(deliveryStates).optional(),
  destination: z.string().max(63).optional(),
  service: z
    .string()
    .regex(/^[0-9]{14}$/)
    .optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  after: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const noteSchema = z.string().trim().min(3, 'say why (kept in the audit log)').max(500);

/** The dry run: which dead letters, with or without reroute. Its answer is a plan with an id. */
const dryRunSchema = z
  .strictObject({
    ids: z.array(z.string().max(100)).min(1).max(1000).optional(),
    filter: filterSchema.omit({ state: true, after: true, limit: true }).optional(),
    dryRun: z.literal(true),
    reroute: z.boolean().default(false),
    note: noteSchema,
  })
  .refine((b) => b.ids !== undefined || b.filter !== undefined, {
    message: 'name the dead letters: ids or a filter',
    path: ['ids'],
  });

/** The replay: executes a dry run's plan, nothing else. */
const executeSchema = z.strictObject({
  planId: z.string().min(1).max(100),
  dryRun: z.literal(false).optional(),
  note: noteSchema.optional(),
});

/** Deliveries, dead letters and replay under /admin/v1, scoped to the admin's regions. */
export function adminDeliveryRoutes(deps: {
  store: Store;
  routing: RoutingState;
  worker: DeliveryControl | undefined;
  clock: () => Date;
  reroute?: Reroute | undefined;
}): Router {
  const router = Router();

  const parseFilter = (query: unknown, res: Response): DeliveryFilter => {
    const parsed = filterSchema.safeParse(query);
    if (!parsed.success) throw zodProblem('invalid-query', 'The filter', parsed.error, { noun: 'parameter' });
    const f = parsed.data;
    return {
      state: f.state,
      destinationId: f.destination,
      serviceKey: f.service,
      since: f.since,
      after: f.after,
      limit: f.limit,
      regions: currentAdmin(res).regions,
    };
  };

  const page = async (res: Response, filter: DeliveryFilter) => {
    const deliveries = await deps.store.listDeliveries(filter);
    const last = deliveries.at(-1);
    res.json({ deliveries, next: deliveries.length === filter.limit && last ? last.id : undefined });
  };

  router.get('/deliveries', async (req, res) => {
    await page(res, parseFilter(req.query, res));
  });

  router.get('/deliveries/:id', async (req: Request<{ id: string }>, res: Response) => {
    const [delivery] = await deps.store.listDeliveries({
      ids: [req.params.id],
      limit: 1,
      regions: currentAdmin(res).regions,
    });
    if (!delivery) throw new AmtsboteError('not-found', 'No such delivery.');
    // The ids the transport assigned (FIT-Connect's submission and case), for the operator to quote to its support.
    const references = await readTransportReferences({ store: deps.store, routing: () => deps.routing.current() }, [
      delivery,
    ]);
    res.json({ ...delivery, ...references.get(delivery.id), attempts: await deps.store.listAttempts(delivery.id) });
  });

  router.get('/dead-letters', async (req, res) => {
    await page(res, { ...parseFilter(req.query, res), state: 'dead-lettered' });
  });

  router.post('/dead-letters/replay', async (req: Request, res: Response) => {
    const admin = requireEditor(res);
    const body: unknown = req.body;
    if (typeof body === 'object' && body !== null && 'planId' in body) {
      const parsed = executeSchema.safeParse(body);
      if (!parsed.success) throw zodProblem('invalid-request', 'The replay request', parsed.error);
      const result = await executeReplayPlan({
        store: deps.store,
        routing: deps.routing.current(),
        now: deps.clock(),
        actor: admin.id,
        planId: parsed.data.planId,
        regions: admin.regions,
        reroute: deps.reroute,
        note: parsed.data.note,
      });
      deps.worker?.kick();
      res.json(result);
      return;
    }
    if (typeof body === 'object' && body !== null && (body as { dryRun?: unknown }).dryRun !== true) {
      // What is replayed must be what a person has seen: a dry run first, then its plan.
      throw new AmtsboteError(
        'invalid-request',
        'A replay executes a plan: send the request as a dry run first, check its entries, then send its planId.',
        [{ pointer: '/planId', detail: 'required: the planId of a dry run (or set dryRun to true)' }],
      );
    }
    const parsed = dryRunSchema.safeParse(body);
    if (!parsed.success) throw zodProblem('invalid-request', 'The replay request', parsed.error);
    const dry = parsed.data;
    if (dry.reroute && !deps.reroute)
      throw new AmtsboteError(
        'conflict',
        'Replay with reroute needs the escrow copy, which this gateway does not keep.',
      );
    const result = await makeReplayPlan({
      store: deps.store,
      routing: deps.routing.current(),
      now: deps.clock(),
      actor: admin.id,
      selection: {
        ids: dry.ids,
        filter: dry.filter
          ? { destinationId: dry.filter.destination, serviceKey: dry.filter.service, since: dry.filter.since }
          : undefined,
      },
      regions: admin.regions,
      reroute: dry.reroute,
      note: dry.note,
    });
    res.json(result);
  });

  router.get('/audit', async (req, res) => {
    const limit = Math.min(Number(req.query.limit ?? 100) || 100, 500);
    const before = req.query.before === undefined ? undefined : Number(req.query.before);
    const admin = currentAdmin(res);
    const entries = await deps.store.listAudit(limit, Number.isInteger(before) ? before : undefined);
    // The log spans every region: an admin limited to some sees only what they did themselves.
    res.json({ entries: admin.regions ? entries.filter((e) => e.actor === admin.id) : entries });
  });

  return router;
}
