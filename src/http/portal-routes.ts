import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { AmtsboteError } from '../lib/errors.js';
import { deliveryStates } from '../store/types.js';
import { zodProblem } from '../lib/zod-field-errors.js';
import { acceptSubmission, type IntakeContext, type IntakeRequest } from '../intake/accept-submission.js';
import type { ConfigurationSet } from '../intake/configuration-set.js';
import type { Store } from '../store/store.js';
import { statusView } from '../intake/submission-view.js';
import { serviceCatalogue, serviceSource } from '../routing/service-catalogue.js';
import { readTransportReferences } from '../delivery/read-transport-references.js';
import type { CurrentRouting } from '../routing/routing-state.js';
import type { BodyBudget } from './body-budget.js';
import { boundedBody, readWholeBody, refuseRestOfBody } from './bounded-body.js';
import { parseJsonSubmission } from './json-body.js';
import { readMultipartSubmission } from './multipart-body.js';
import { currentPortal, portalAuth } from './portal-auth.js';
import type { RateLimits } from './rate-limits.js';
import type { StoredPortal } from '../store/types.js';
import { portalReplyRoutes } from './portal-reply-routes.js';
import type { Metrics } from '../observability/metrics.js';
import { submissionReplyKeys } from '../replies/submission-reply-keys.js';
import { replySummary } from '../replies/reply-views.js';

const listQuerySchema = z.strictObject({
  since: z.iso.datetime({ offset: true }).optional(),
  status: z.enum(deliveryStates).optional(),
  after: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const encodeCursor = (updatedAt: string, id: string) =>
  Buffer.from(JSON.stringify([updatedAt, id])).toString('base64url');
function decodeCursor(cursor: string): { updatedAt: string; id: string } {
  try {
    const [updatedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof updatedAt === 'string' && typeof id === 'string') return { updatedAt, id };
  } catch {
    // fall through
  }
  throw new AmtsboteError(
    'invalid-query',
    'The query parameter after is not a cursor from this API: pass the `next` of the previous page.',
    [{ pointer: '/after', detail: 'is not a cursor from this API' }],
  );
}

const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

export interface PortalRoutesDeps {
  /** The in-request pipeline a submission goes through. */
  intake: IntakeContext;
  /** Services and mappings, read per request: a configuration reload replaces them. */
  configuration: () => Pick<ConfigurationSet, 'config' | 'xoev'>;
  /** The portal's submissions, their events, last errors and the ids their transports assigned. */
  store: Pick<
    Store,
    | 'listSubmissions'
    | 'getSubmission'
    | 'listEvents'
    | 'lastAttemptErrors'
    | 'adapterStates'
    | 'getReply'
    | 'listReplies'
    | 'recordReplyFetch'
    | 'confirmReply'
    | 'listPortalReplyKeys'
  >;
  /** The routing in force: which adapter kind each destination has, to read its transport's ids. */
  routing: () => CurrentRouting;
  /** Base of the schema and status links. */
  publicBaseUrl: string;
  /** Counts replies fetched and confirmed (absent: no metrics). */
  metrics?: Metrics | undefined;
}

/** The portal API under /v1: services, submissions, status. */
export function portalRoutes(
  deps: PortalRoutesDeps,
  portals: (fresh?: boolean) => Promise<StoredPortal[]>,
  rates: RateLimits,
  budget: BodyBudget,
): Router {
  const { intake, configuration, store, routing, publicBaseUrl } = deps;
  const router = Router();
  // Settings of gateway.yaml apply only on restart: read once.
  const limits = configuration().config.gateway.limits;
  router.use(portalAuth(portals, rates));
  router.use(
    portalReplyRoutes({
      store,
      clock: intake.clock,
      publicBaseUrl,
      escrowKeys: intake.sealing.keys.escrow,
      metrics: deps.metrics,
      routing,
    }),
  );

  router.get('/services', (_req, res) => {
    const portal = currentPortal(res);
    const { config, xoev } = configuration();
    const offered = [...config.services.values()].filter(
      (s) => portal.services.includes('*') || portal.services.includes(s.definition.key),
    );
    const catalogue = new Map(
      serviceCatalogue(offered, intake.routing().routing, intake.clock()).map((e) => [e.key, e]),
    );
    const services = offered.map(({ definition: d, dataSchema }) => ({
      key: d.key,
      name: d.name,
      description: d.description,
      schemaUrl: new URL(`v1/services/${d.key}/schema`, publicBaseUrl.replace(/\/?$/, '/')).href,
      attachments: d.attachments,
      standard: d.standard && { name: d.standard.name, versions: d.standard.versions },
      produces: xoev.mappings.mappings
        .filter((m) => m.services.includes(d.key))
        .map((m) => ({
          standard: m.standard,
          version: m.version,
          mediaType: m.format === 'json' ? 'application/json' : 'application/xml',
          messages: [...m.messages],
        })),
      source: serviceSource({ dataSchema }),
      regions: catalogue.get(d.key)?.regions ?? [],
    }));
    res.json({ services });
  });

  router.get('/services/:serviceKey/schema', (req: Request<{ serviceKey: string }>, res) => {
    const service = configuration().config.services.get(req.params.serviceKey);
    if (!service)
      throw new AmtsboteError('not-found', `No service with the key ${req.params.serviceKey.slice(0, 20)}.`);
    res.type('application/schema+json').send(JSON.stringify(service.dataSchema));
  });

  router.post('/submissions', async (req, res) => {
    const idempotencyKey = req.get('idempotency-key');
    if (idempotencyKey !== undefined && !idempotencyKeyPattern.test(idempotencyKey)) {
      throw new AmtsboteError('invalid-envelope', 'Idempotency-Key must be 1–255 printable ASCII characters.', [
        { pointer: '', detail: 'header Idempotency-Key is invalid' },
      ]);
    }
    const declared = Number(req.get('content-length') ?? '0');
    if (declared > limits.maxBodyBytes)
      throw new AmtsboteError('payload-too-large', `The body exceeds ${limits.maxBodyBytes} bytes.`);
    const type = req.get('content-type') ?? '';
    const multipart = /^multipart\/form-data\s*;/i.test(type);
    if (!multipart && !/^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(type)) {
      throw new AmtsboteError('unsupported-media-type', 'Send application/json or multipart/form-data.');
    }
    // The parsed body lives in `request` alone, so intake can let go of it (and its base64 strings) once decoded.
    const request: IntakeRequest = { portal: currentPortal(res), body: undefined, idempotencyKey };
    try {
      await readSubmissionBody(req, res, request, { multipart, declared });
    } catch (error) {
      refuseRestOfBody(req, res, error, limits.maxBodyBytes);
      throw error;
    }
    const { answer, replayed } = await acceptSubmission(intake, request);
    // As Stripe does: a portal can tell a repeat of an earlier request from a new submission.
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(202).location(answer.statusUrl).json(answer);
  });

  /**
   * Reads the body into `request`. A function of its own, and the result never held in a variable of the
   * handler: an async function keeps the values of its locals and temporaries across every later await, so
   * the raw 23 MB body (or the parsed object with its base64 strings) would stay alive until the answer
   * (issue 19, F4). This frame is garbage once it returns.
   */
  async function readSubmissionBody(
    req: Request,
    res: Response,
    request: IntakeRequest,
    body: { multipart: boolean; declared: number },
  ): Promise<void> {
    const stream = await boundedBody(req, res, budget, {
      maxBodyBytes: limits.maxBodyBytes,
      bodyIdleMs: limits.bodyIdleSeconds * 1000,
    });
    if (body.multipart) {
      const read = await readMultipartSubmission(req, stream, limits);
      request.body = read.body;
      request.parts = read.parts;
    } else {
      const read = parseJsonSubmission(
        await readWholeBody(stream, body.declared > 0 ? body.declared : undefined),
        limits,
      );
      request.body = read.body;
      request.decoded = read.decoded;
    }
  }

  router.get('/submissions', async (req: Request, res: Response) => {
    const parsed = listQuerySchema.safeParse(req.query);
    if (!parsed.success) throw zodProblem('invalid-query', 'The query', parsed.error, { noun: 'parameter' });
    const q = parsed.data;
    const after = q.after ? decodeCursor(q.after) : undefined;
    // Stored times are UTC with milliseconds and compared as text: `since` is brought to that form first, so
    // that an offset (+01:00) or missing milliseconds compare as the instant they name.
    const since = q.since === undefined ? undefined : new Date(q.since).toISOString();
    const submissions = await store.listSubmissions({
      portalId: currentPortal(res).id,
      since,
      status: q.status,
      after,
      limit: q.limit,
    });
    const last = submissions.at(-1);
    res.json({
      submissions,
      next: submissions.length === q.limit && last ? encodeCursor(last.updatedAt, last.submissionId) : undefined,
    });
  });

  router.get('/submissions/:submissionId/events', async (req: Request<{ submissionId: string }>, res: Response) => {
    const record = await store.getSubmission(req.params.submissionId);
    if (!record || record.portalId !== currentPortal(res).id)
      throw new AmtsboteError('not-found', 'No such submission.');
    res.json({ submissionId: record.id, events: await store.listEvents(record.id) });
  });

  router.get('/submissions/:submissionId', async (req: Request<{ submissionId: string }>, res: Response) => {
    const record = await store.getSubmission(req.params.submissionId);
    // Another portal's submission is "not found", not "forbidden": its existence is not disclosed.
    if (!record || record.portalId !== currentPortal(res).id)
      throw new AmtsboteError('not-found', 'No such submission.');
    const events = await store.listEvents(record.id);
    const lastErrors = await store.lastAttemptErrors(record.deliveries.map((d) => d.id));
    const references = await readTransportReferences({ store, routing }, record.deliveries);
    // Replies (issue 24): whether the submission can be answered at all, and those received, per destination.
    const replyKeys = await submissionReplyKeys(store, record, intake.clock());
    const replies = await store.listReplies(record.id);
    res.json({
      ...statusView(record, events, publicBaseUrl, { lastErrors, references }),
      replies: { possible: replyKeys.length > 0, items: replies.map((r) => replySummary(r, publicBaseUrl)) },
    });
  });

  return router;
}
