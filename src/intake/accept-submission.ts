import type { ConfigFiles } from '../config/load.js';
import { checkReplyKeySource } from '../replies/check-reply-key.js';
import { AmtsboteError, fieldsToFix } from '../lib/errors.js';
import { resolveRoute } from '../routing/resolve.js';
import type { CurrentRouting } from '../routing/routing-state.js';
import type { Store } from '../store/store.js';
import type { StoredPortal, SubmissionRecord } from '../store/types.js';
import { decodeJsonAttachments } from './attachments.js';
import { contentFingerprint } from './content-fingerprint.js';
import type { ConfigurationSet } from './configuration-set.js';
import { envelopeSchema, type Envelope } from './envelope-schema.js';
import type { KeyedHash } from '../lib/keyed-hash.js';
import type { Xoev } from '../xoev/index.js';
import { inProcessIntake, type IntakeCpu } from './pool/intake-pool.js';
import { sealingKeys } from './pool/sealing-keys.js';
import { isFitConnectDestination, submissionSchemaFor } from './fitconnect-offer.js';
import type { FitConnectDirectories } from '../adapters/fitconnect/index.js';
import type { KeyRing } from '../seal/index.js';
import { checkPortalAccess } from './portal-access.js';
import { LARGE_SUBMISSION_BYTES, reclaimMemory } from './reclaim-memory.js';
import { callbackAllowed } from '../adapters/callback.js';
import { acceptedAnswer, type AcceptedAnswer } from './submission-view.js';
import { zodProblem } from '../lib/zod-field-errors.js';
import { submissionRow } from './submission-row.js';
import { deliveryRows, plannedDeliveries } from './delivery-rows.js';
import { explainedByLegacy, legacyPaymentErrors } from './legacy-payment.js';

/**
 * What the in-request pipeline uses, and nothing else: routes and the gateway's other parts get their own
 * dependencies. `config`, `validators` and `xoev` are read per request, because a configuration reload
 * replaces them (the gateway supplies getters onto the configuration in force).
 */
export interface IntakeContext {
  readonly config: ConfigFiles;
  /** The routing version in force (the store's newest). */
  routing: () => CurrentRouting;
  readonly validators: ConfigurationSet['validators'];
  /** Normalises text as intake does (NFC, see xoev/din91379), for the routes that check data without intake. */
  normalize: (data: Record<string, unknown>) => Record<string, unknown>;
  /**
   * Where the CPU steps run (validation, mapping, XSD, sealing): the pool of the configuration in force
   * (pool/intake-pool.ts). Absent: in-process, over `config`, `validators` and `xoev`.
   */
  cpu?: (() => IntakeCpu) | undefined;
  /** Idempotency keys, the accepting transaction, and the record an earlier request made. */
  store: Pick<Store, 'findIdempotencyKey' | 'acceptSubmission' | 'getSubmission'>;
  hash: KeyedHash;
  clock: () => Date;
  newId: () => string;
  /** Base of `statusUrl`: the configured public URL, or the address the gateway listens on. */
  publicBaseUrl: string;
  /** Mappings, code lists and compiled schemas. */
  readonly xoev: Xoev;
  /** Gateway keys (with their state) and recipients' keys. */
  sealing: KeyRing;
  productVersion: string;
  /** Told after each commit, so the outbox worker starts at once rather than at its next poll. */
  onAccepted?: () => void;
  /** What FIT-Connect destinations take (their cached descriptions), asked before anything is sealed for them. */
  fitConnect?: FitConnectDirectories | undefined;
}

export interface IntakeRequest {
  portal: StoredPortal;
  body: unknown;
  /** Attachment contents from multipart parts; undefined for a JSON request (content is inline base64). */
  parts?: Map<string, Buffer> | undefined;
  /**
   * JSON: attachment contents decoded while the body was read, by the placeholder that stands for their base64 text.
   */
  decoded?: ReadonlyMap<string, Buffer> | undefined;
  idempotencyKey?: string | undefined;
}

/** The answer, and whether it is that of an earlier request with the same Idempotency-Key. */
export interface IntakeOutcome {
  answer: AcceptedAnswer;
  replayed: boolean;
}

/**
 * The in-request pipeline: everything that decides whether a submission can be delivered happens
 * here, so the portal gets its answer at once. Plain data exists only in memory during the call.
 */
export async function acceptSubmission(ctx: IntakeContext, request: IntakeRequest): Promise<IntakeOutcome> {
  const { portal } = request;
  const { envelope, contents } = takeEnvelope(request);
  // The raw body and its base64 text are garbage now, three times the attachments' size: gone before sealing.
  if (sizeOf(contents) >= LARGE_SUBMISSION_BYTES) reclaimMemory();

  const service = ctx.config.services.get(envelope.serviceKey);
  if (!service) {
    throw new AmtsboteError('unknown-service', `No service with the key ${envelope.serviceKey}.`, [
      { pointer: '/serviceKey', detail: 'unknown service' },
    ]);
  }
  checkPortalAccess(portal, envelope.serviceKey, envelope.regionKey);
  if (envelope.callbackUrl !== undefined) checkCallbackUrl(portal, envelope.callbackUrl);
  // The envelope's own reply key is checked as the portal's registered ones are: an unusable key is refused now.
  if (envelope.replyChannel)
    await checkReplyKeySource(
      ctx.sealing.resolver,
      { jwk: envelope.replyChannel.encryptionKey },
      '/replyChannel/encryptionKey',
    );

  const now = ctx.clock();
  const contentHmac = request.idempotencyKey ? contentFingerprint(envelope, contents, ctx.hash) : undefined;
  // The key is only ever matched, so the store holds its keyed hash, never the portal's text.
  const idempotencyKeyHash = request.idempotencyKey === undefined ? undefined : ctx.hash(request.idempotencyKey);
  if (idempotencyKeyHash && contentHmac) {
    const earlier = await ctx.store.findIdempotencyKey(portal.id, idempotencyKeyHash, now.toISOString());
    if (earlier) return { answer: await answerForEarlier(ctx, earlier, contentHmac), replayed: true };
  }

  // One configuration generation for both CPU steps, even when a reload comes between them.
  const cpu = ctx.cpu?.() ?? inProcessIntake({ config: ctx.config, validators: ctx.validators, xoev: ctx.xoev });
  const data = await cpu.validate({
    serviceKey: envelope.serviceKey,
    data: envelope.data,
    attachments: envelope.attachments,
    payment: envelope.payment,
    sizes: new Map([...contents].map(([id, bytes]) => [id, bytes.length])),
    now,
  });

  const routing = ctx.routing();
  const route = resolveRoute(routing.routing, envelope.serviceKey, envelope.regionKey, now);
  if (route.destinations.length === 0) {
    throw new AmtsboteError(
      'unroutable-region',
      `Service ${envelope.serviceKey} is not routed for region ${envelope.regionKey}.`,
      [{ pointer: '/regionKey', detail: 'no destination for this service and region' }],
    );
  }

  // Before anything is produced: a FIT-Connect destination that would reject this service is refused at once.
  const offers = { fitConnect: ctx.fitConnect, config: ctx.config, xoev: ctx.xoev };
  const submissionSchemas = await Promise.all(
    route.destinations.map((d) =>
      isFitConnectDestination(d) ? submissionSchemaFor(offers, d, envelope.serviceKey) : Promise.resolve(undefined),
    ),
  );

  const receivedAt = now.toISOString();
  const submissionId = ctx.newId();
  const deliveries = plannedDeliveries(route, ctx.newId);
  // Hashed before sealing: on a pool thread the attachments' bytes move there and are gone from here.
  const submission = submissionRow({
    id: submissionId,
    portalId: portal.id,
    envelope,
    data,
    contents,
    receivedAt,
    routingVersion: routing.version,
    hash: ctx.hash,
  });
  // Every destination's message is produced, validated and sealed before anything is stored: all or nothing.
  const sealed = await cpu.produceAndSeal({
    envelope,
    data,
    contents,
    submissionId,
    createdAt: now,
    portal,
    productVersion: ctx.productVersion,
    targets: route.destinations.map((destination, i) => ({
      deliveryId: deliveries[i]?.id ?? '',
      destination,
      submissionSchema: submissionSchemas[i],
    })),
    keys: await sealingKeys(ctx.sealing, route.destinations),
  });
  const rows = deliveryRows(deliveries, sealed.messages, route, ctx.newId, now);
  // The plain attachments are sealed now (their summary is in the submission row): the store gets only
  // ciphertext, so they need not stay alive while it writes (issue 19, F4). For multipart this is the
  // request's map of parts; with them goes any garbage of sealing, collected before the store copies bytes.
  contents.clear();
  if (submission.attachments.reduce((sum, a) => sum + a.size, 0) >= LARGE_SUBMISSION_BYTES) reclaimMemory();
  const result = await ctx.store.acceptSubmission({
    submission,
    deliveries: [...rows.sealed, ...rows.deferred],
    messages: sealed.messages.map((m) => ({ deliveryId: m.deliveryId, contentType: 'application/json', body: m.body })),
    escrow: sealed.escrow,
    event: {
      at: receivedAt,
      type: 'received',
      data: {
        status: 'pending',
        destinations: deliveries.map((d) => d.destinationId),
        routingVersion: routing.version,
        rule: route.rule,
      },
    },
    idempotency:
      idempotencyKeyHash && contentHmac
        ? {
            key: idempotencyKeyHash,
            contentHmac,
            expiresAt: new Date(now.getTime() + ctx.config.gateway.limits.idempotencyHours * 3_600_000).toISOString(),
          }
        : undefined,
  });
  if (result.kind === 'existing' && contentHmac)
    return { answer: await answerForEarlier(ctx, result, contentHmac), replayed: true };
  ctx.onAccepted?.();
  const record: SubmissionRecord = {
    ...submission,
    updatedAt: receivedAt,
    deliveries: [...deliveries, ...rows.deferred].map((d) => ({
      ...d,
      attempts: 0,
      createdAt: receivedAt,
      updatedAt: receivedAt,
    })),
  };
  return { answer: acceptedAnswer(record, ctx.publicBaseUrl), replayed: false };
}

/** Callbacks go only where the portal allowed them: no SSRF to metadata services or internal hosts. */
function checkCallbackUrl(portal: StoredPortal, url: string): void {
  if (!portal.callback) {
    throw new AmtsboteError('invalid-envelope', 'This portal has no callback settings.', [
      { pointer: '/callbackUrl', detail: 'callbacks are not configured for this portal' },
    ]);
  }
  if (!callbackAllowed(url, portal.callback)) {
    throw new AmtsboteError('invalid-envelope', 'The callback URL points at a host this portal may not use.', [
      { pointer: '/callbackUrl', detail: "host not in the portal's allow-list" },
    ]);
  }
}

function sizeOf(contents: ReadonlyMap<string, Buffer>): number {
  let bytes = 0;
  for (const content of contents.values()) bytes += content.length;
  return bytes;
}

/**
 * The envelope without attachment content, and the attachments' bytes. Synchronous and apart from
 * `acceptSubmission` on purpose: an async function keeps every local alive across its awaits, and the
 * parsed envelope holds the base64 text (4/3 of every attachment), dead weight once decoded (issue 19, F4).
 * The request lets go of it too.
 */
function takeEnvelope(request: IntakeRequest): { envelope: Envelope; contents: Map<string, Buffer> } {
  const parsed = parseEnvelope(request.body);
  request.body = undefined;
  const contents = request.parts
    ? checkMultipartEntries(parsed, request.parts)
    : decodeJsonAttachments(parsed.attachments ?? [], request.decoded);
  request.decoded = undefined;
  return {
    envelope: { ...parsed, attachments: parsed.attachments?.map(({ content: _content, ...meta }) => meta) },
    contents,
  };
}

function parseEnvelope(body: unknown): Envelope {
  const parsed = envelopeSchema.safeParse(body);
  if (!parsed.success) {
    const problem = zodProblem('invalid-envelope', 'The envelope', parsed.error);
    const legacy = legacyPaymentErrors((body as { payment?: unknown } | null)?.payment);
    if (legacy.length === 0) throw problem;
    // The earlier payment shape: one error per changed field saying what replaced it, then whatever else is wrong.
    const errors = [...legacy, ...problem.errors.filter((e) => !explainedByLegacy(e, legacy))];
    throw new AmtsboteError('invalid-envelope', fieldsToFix('The envelope', errors), errors);
  }
  return parsed.data;
}

/** In multipart, attachment entries carry no inline content: each is a part named by its id. */
function checkMultipartEntries(envelope: Envelope, parts: Map<string, Buffer>): Map<string, Buffer> {
  const inline = (envelope.attachments ?? []).findIndex((a) => a.content !== undefined);
  if (inline >= 0) {
    throw new AmtsboteError('invalid-envelope', 'In a multipart submission attachments travel as parts.', [
      {
        pointer: `/attachments/${inline}/content`,
        detail: 'must be omitted in multipart; send a part named by the attachment id',
      },
    ]);
  }
  return parts;
}

/**
 * A repeated key gets the same 202 with the same submission and message ids, but the submission's current
 * status, not a copy of the first answer: what a retry has to learn is which submission its request made
 * and where it stands now (Stripe replays a stored response because its answer is the finished result; here
 * the answer is an acceptance whose only changing part is the status, and after a replay with reroute a
 * stored copy would name a destination that no longer holds the message). Nothing is stored for it either.
 */
async function answerForEarlier(
  ctx: IntakeContext,
  earlier: { submissionId: string; contentHmac: string },
  contentHmac: string,
): Promise<AcceptedAnswer> {
  if (earlier.contentHmac !== contentHmac) {
    throw new AmtsboteError('idempotency-conflict', 'This Idempotency-Key was already used with other content.');
  }
  const record = await ctx.store.getSubmission(earlier.submissionId);
  if (!record) throw new AmtsboteError('internal', 'The submission of an idempotency key is missing.');
  return acceptedAnswer(record, ctx.publicBaseUrl);
}
