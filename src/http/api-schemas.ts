import { z } from 'zod';
import { transportReferencesSchema } from '../adapters/transport-references.js';
import { ATTACHMENT_PURPOSES } from '../receiver/format.js';
import { deliveryStates } from '../store/types.js';

/** Response schemas of the portal API. They feed the OpenAPI document; a test checks real responses against it. */
const status = z.enum(deliveryStates);

export const acceptedSchema = z
  .object({
    submissionId: z.string(),
    status,
    statusUrl: z.url(),
    destinations: z.array(z.object({ destinationId: z.string(), messageId: z.string(), status })),
  })
  .meta({ id: 'Accepted' });

/** A reply of a destination as the portal's status view lists it (issue 24): no content. */
export const replySummarySchema = z
  .object({
    replyId: z.string(),
    seq: z.int().min(1),
    destinationId: z.string(),
    messageId: z.string(),
    kind: z.enum(['notice', 'request', 'information']),
    state: z.enum(['received', 'fetched', 'accepted', 'rejected']),
    receivedAt: z.iso.datetime(),
    fetchedAt: z.iso.datetime().optional(),
    confirmation: z
      .object({ outcome: z.enum(['accepted', 'rejected']), reason: z.string().optional(), at: z.iso.datetime() })
      .optional(),
    url: z.url().meta({ description: 'Where the portal fetches the sealed reply (amtsbote-reply/1)' }),
  })
  .meta({ id: 'ReplySummary' });

/** The portal's list of its submission's replies (`GET /v1/submissions/{id}/replies`), in their order. */
export const replyListSchema = z
  .object({ submissionId: z.string(), replies: z.array(replySummarySchema) })
  .meta({ id: 'ReplyList' });

/** The answer to `POST /v1/replies` (replies/receive-reply.ts `ReceivedReply`). */
export const receivedReplySchema = z
  .object({
    replyId: z.string(),
    submissionId: z.string(),
    seq: z.int().min(1),
    state: z.enum(['received', 'fetched', 'accepted', 'rejected']),
    statusUrl: z.url().meta({ description: 'Where the destination polls its reply (same as `Location`)' }),
    replayed: z.boolean().meta({ description: 'True when this reply id was received before with the same body' }),
  })
  .meta({ id: 'ReceivedReply' });

/** What the destination polls (`GET /v1/replies/{replyId}`): replies/reply-views.ts `replyStatusForDestination`. */
export const replyStatusSchema = z
  .object({
    replyId: z.string(),
    submissionId: z.string(),
    messageId: z.string(),
    seq: z.int().min(1),
    kind: z.enum(['notice', 'request', 'information']),
    state: z.enum(['received', 'fetched', 'accepted', 'rejected']),
    receivedAt: z.iso.datetime(),
    fetchedAt: z.iso.datetime().optional(),
    confirmation: z
      .object({ outcome: z.enum(['accepted', 'rejected']), reason: z.string().optional(), at: z.iso.datetime() })
      .optional(),
  })
  .meta({ id: 'ReplyStatus' });

/** The portal's public reply key a destination encrypts its reply to (`GET /v1/messages/{messageId}/reply-key`). */
export const replyKeySchema = z
  .object({
    messageId: z.string(),
    submissionId: z.string(),
    encryptionKey: z
      .record(z.string(), z.unknown())
      .meta({ description: 'Public JWK (RSA, RSA-OAEP-256) of the submission or of its portal' }),
  })
  .meta({ id: 'ReplyKey' });

export const submissionStatusSchema = z
  .object({
    submissionId: z.string(),
    serviceKey: z.string(),
    regionKey: z.string(),
    reference: z.string().optional(),
    test: z.boolean(),
    status,
    statusUrl: z.url(),
    receivedAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    destinations: z.array(
      z.object({
        destinationId: z.string(),
        messageId: z.string(),
        status,
        attempts: z.int().min(0),
        nextAttemptAt: z.iso.datetime().optional(),
        lastError: z
          .object({
            code: z.string().meta({
              description:
                'Stable error class of the attempt, e.g. `http-503`, `timeout`, `network-error` (never payload).',
            }),
            at: z.iso.datetime().meta({ description: 'When that attempt started.' }),
          })
          .optional()
          .meta({ description: 'Present while the latest delivery attempt to this destination failed.' }),
        updatedAt: z.iso.datetime(),
        // One member per transport that assigns ids of its own (adapters/transport-references.ts).
        ...transportReferencesSchema.shape,
      }),
    ),
    history: z.array(
      z.object({
        seq: z.int().min(1),
        at: z.iso.datetime(),
        type: z
          .string()
          .meta({ description: "`received`: accepted at intake; `delivery`: a destination's message changed status" }),
        status: status.optional().meta({ description: "The submission's status, where this entry changed it" }),
        destination: z.object({ destinationId: z.string(), messageId: z.string(), status }).optional().meta({
          description: 'On `delivery` entries: the destination, its message and the status that message reached',
        }),
      }),
    ),
    replies: z
      .object({
        possible: z.boolean().meta({
          description: 'False: the submission has no reply key and its portal registered none — it cannot be answered',
        }),
        items: z.array(replySummarySchema),
      })
      .meta({ description: 'Replies of the destinations (issue 24), in their order' }),
  })
  .meta({ id: 'SubmissionStatus' });

export const problemSchema = z
  .looseObject({
    type: z.url(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z
      .array(
        z.object({
          pointer: z.string(),
          detail: z.string(),
          code: z.string().optional().meta({
            description:
              'what is wrong as a stable code (`required`, `too-short`, `ars`, `unknown-field` …), for clients that say it in their own words',
          }),
          params: z
            .record(z.string(), z.union([z.string(), z.number()]))
            .optional()
            .meta({ description: 'the values the code\'s text needs, e.g. `{"minimum": 3}`' }),
        }),
      )
      .optional(),
    retryAfter: z
      .int()
      .min(0)
      .optional()
      .meta({ description: 'On 429: seconds to wait before the next request, as in the Retry-After header' }),
    reason: z.string().optional().meta({
      description: 'On a refused receipt: a stable code of the reason (e.g. `unknown-destination`, `replayed`)',
    }),
  })
  .meta({
    id: 'Problem',
    description:
      'RFC 9457 problem details. `type` is stable (https://amtsbote.dev/problems/<code>); `errors` point into the request with JSON pointers; further members may follow (RFC 9457 extension members)',
  });

export const serviceSourceSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('fim'), id: z.string(), version: z.string().optional() }),
    z.object({ kind: z.literal('hand-made') }),
  ])
  .meta({
    id: 'ServiceSource',
    description: 'Imported from a FIM Stammdatenschema (its id and version) or modelled by hand',
  });

export const catalogueRegionSchema = z
  .object({
    region: z.string(),
    destinations: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        deferred: z.boolean().meta({ description: "Waits for another destination's acceptance" }),
      }),
    ),
  })
  .meta({ id: 'CatalogueRegion' });

export const serviceSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    description: z.string().optional(),
    schemaUrl: z.url(),
    attachments: z.object({
      maxCount: z.int(),
      maxBytes: z.int(),
      mediaTypes: z.array(z.string()),
      purposes: z
        .array(z.enum(ATTACHMENT_PURPOSES))
        .optional()
        .meta({ description: 'The purposes an attachment may have; any when absent' }),
    }),
    standard: z.object({ name: z.string(), versions: z.array(z.string()) }).optional(),
    produces: z
      .array(
        z.object({
          standard: z.string(),
          version: z.string(),
          mediaType: z.enum(['application/xml', 'application/json']),
          messages: z.array(z.string()),
        }),
      )
      .meta({
        description:
          'Every standard version the loaded mappings can produce for this service; a destination names the one it accepts',
      }),
    source: serviceSourceSchema,
    regions: z.array(catalogueRegionSchema).meta({
      description:
        'The regions (ARS prefixes of the routing rules) that offer the service now, with their destinations',
    }),
  })
  .meta({ id: 'Service' });

export const serviceListSchema = z.object({ services: z.array(serviceSchema) }).meta({ id: 'ServiceList' });

export const healthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    store: z.string().optional(),
    configHash: z.string().optional(),
    version: z.string().optional(),
  })
  .meta({ id: 'Health' });

export const submissionListSchema = z
  .object({
    submissions: z.array(
      z.object({
        submissionId: z.string(),
        serviceKey: z.string(),
        regionKey: z.string(),
        reference: z.string().optional(),
        status,
        receivedAt: z.iso.datetime(),
        updatedAt: z.iso.datetime(),
      }),
    ),
    next: z.string().optional().meta({ description: 'pass as `after` for the next page' }),
  })
  .meta({ id: 'SubmissionList' });

export const eventLogSchema = z
  .object({
    submissionId: z.string(),
    events: z.array(
      z.object({
        seq: z.int().min(1),
        at: z.iso.datetime(),
        type: z.string(),
        data: z.record(z.string(), z.unknown()),
        prevHash: z.string(),
        hash: z.string(),
      }),
    ),
  })
  .meta({ id: 'EventLog' });

export const receiptResultSchema = z
  .object({
    messageId: z.string(),
    submissionId: z.string(),
    state: z.enum(['accepted', 'rejected']),
    released: z.int(),
    cancelled: z.int(),
  })
  .meta({ id: 'ReceiptResult' });

export const mailboxListSchema = z
  .object({
    messages: z.array(
      z.object({
        messageId: z.string(),
        submissionId: z.string(),
        state: z
          .enum(['pending', 'delivered'])
          .meta({ description: '`delivered` once fetched; listed until a receipt closes it' }),
        createdAt: z.iso.datetime().meta({
          description:
            'When the gateway sealed the message; the list is sorted by it, oldest first, then by message id',
        }),
        availableSince: z.iso
          .datetime()
          .meta({ description: 'When the message last changed: put into the mailbox, or first fetched' }),
      }),
    ),
    next: z.string().optional().meta({ description: 'pass as `after` for the next page' }),
  })
  .meta({ id: 'MailboxList' });

export const jwksSchema = z
  .object({
    keys: z.array(
      z
        .looseObject({ kty: z.string(), kid: z.string(), alg: z.string().optional(), use: z.string().optional() })
        .meta({ description: 'A public JWK (RFC 7517); never private members' }),
    ),
  })
  .meta({ id: 'JsonWebKeySet' });
