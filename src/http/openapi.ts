import { createDocument } from 'zod-openapi';
import { z } from 'zod';
import { envelopeSchema } from '../intake/envelope-schema.js';
import { fetchedReplySchema, postedReplySchema } from '../receiver/reply-format.js';
import { replyConfirmationSchema } from '../replies/confirm-reply.js';
import { deliveryStates } from '../store/types.js';
import {
  acceptedSchema,
  eventLogSchema,
  healthSchema,
  jwksSchema,
  mailboxListSchema,
  problemSchema,
  receiptResultSchema,
  receivedReplySchema,
  replyKeySchema,
  replyListSchema,
  replyStatusSchema,
  replySummarySchema,
  serviceListSchema,
  submissionListSchema,
  submissionStatusSchema,
} from './api-schemas.js';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});
const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });

/**
 * 429 comes before any token is looked at (a client that failed to sign in too often) and, for portals,
 * when the portal's request budget is spent: every operation behind the limiter can answer it.
 */
const rateLimited = {
  description: 'too many requests: from this client (failed sign-ins) or from this portal (request budget)',
  headers: z.object({ 'Retry-After': z.string().meta({ description: 'seconds to wait before the next request' }) }),
  content: { 'application/problem+json': { schema: problemSchema } },
};
const unauthenticated = problem('no or wrong token');

/**
 * The API that portals and specialist software call, as OpenAPI 3.1, generated from the zod schemas that
 * validate the requests and shape the answers. The admin API (/admin/v1) is not part of it: it serves the
 * operators' page and the CLI and is described in the README.
 */
export function openApiDocument(version: string, publicBaseUrl: string): ReturnType<typeof createDocument> {
  const portal = [{ portalToken: [] }];
  const mailbox = [{ mailboxToken: [] }];
  const open: never[] = [];
  // A mailbox destination sends its mailbox token; any other destination opens by the unguessable id alone.
  const mailboxIfAny: Record<string, string[]>[] = [{}, { mailboxToken: [] }];
  const replyPath = z.object({ submissionId: z.string(), replyId: z.string() });
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Amtsbote portal API',
      version,
      description:
        'Portals submit citizen service cases; the gateway maps, seals and delivers them to the specialist procedure. Specialist software fetches sealed messages from its mailbox and confirms them with signed receipts. Every error is an RFC 9457 problem document with a stable `type`.',
      license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' },
    },
    servers: [{ url: publicBaseUrl.replace(/\/+$/, ''), description: 'this gateway' }],
    components: {
      securitySchemes: {
        portalToken: {
          type: 'http',
          scheme: 'bearer',
          description: "The portal's token (one per portal; rotated through the admin API)",
        },
        mailboxToken: {
          type: 'http',
          scheme: 'bearer',
          description: "The destination's mailbox token (hashes in its routing entry); it opens only that mailbox",
        },
      },
    },
    paths: {
      '/health/live': {
        get: {
          operationId: 'getLiveness',
          summary: 'Process is alive',
          security: open,
          responses: { '200': json('alive', healthSchema) },
        },
      },
      '/health/ready': {
        get: {
          operationId: 'getReadiness',
          summary: 'Store reachable and configuration loaded; reports the configuration hash',
          security: open,
          responses: {
            '200': json('ready', healthSchema),
            '503': json('not ready: the store does not answer', healthSchema),
          },
        },
      },
      '/v1/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          summary: 'This document',
          security: open,
          responses: { '200': json('OpenAPI 3.1 document', z.record(z.string(), z.unknown())) },
        },
      },
      '/.well-known/jwks.json': {
        get: {
          operationId: 'getGatewayKeys',
          summary: "The gateway's public signing keys, which receivers pin to verify sealed messages",
          security: open,
          responses: {
            '200': {
              description: 'JSON Web Key Set (RFC 7517)',
              content: { 'application/jwk-set+json': { schema: jwksSchema } },
            },
          },
        },
      },
      '/v1/services': {
        get: {
          operationId: 'listServices',
          summary: 'Services this portal may submit',
          security: portal,
          responses: { '200': json('services', serviceListSchema), '401': unauthenticated, '429': rateLimited },
        },
      },
      '/v1/services/{serviceKey}/schema': {
        get: {
          operationId: 'getServiceSchema',
          summary: "JSON Schema of a service's data",
          security: portal,
          requestParams: {
            path: z.object({ serviceKey: z.string().meta({ description: 'LeiKa key, e.g. 99050012104000' }) }),
          },
          responses: {
            '200': {
              description: 'JSON Schema (draft 2020-12)',
              content: { 'application/schema+json': { schema: z.record(z.string(), z.unknown()) } },
            },
            '401': unauthenticated,
            '404': problem('unknown service'),
            '429': rateLimited,
          },
        },
      },
      '/v1/submissions': {
        get: {
          operationId: 'listSubmissions',
          summary: "The portal's submissions that changed since a time, for reconciliation (keyset-paged)",
          description:
            "Sorted by the time of the last change (`updatedAt`: a new status of the submission or of one of its deliveries), then by id. Pass the answer's `next` as `after` for the next page.",
          security: portal,
          requestParams: {
            query: z.object({
              since: z.iso.datetime({ offset: true }).optional().meta({
                description:
                  'Only submissions whose last change (`updatedAt`) is at or after this instant — not the time they were received. Any offset; compared as an instant.',
              }),
              status: z.enum(deliveryStates).optional().meta({ description: 'Only submissions in this status' }),
              after: z.string().optional().meta({ description: 'The `next` of the previous page' }),
              limit: z.int().min(1).max(500).optional().meta({ description: 'Page size (default 100)' }),
            }),
          },
          responses: {
            '200': json('submissions', submissionListSchema),
            '400': problem('invalid query'),
            '401': unauthenticated,
            '429': rateLimited,
          },
        },
        post: {
          operationId: 'submitCase',
          summary: 'Submit a case',
          security: portal,
          requestParams: {
            header: z.object({
              'idempotency-key': z.string().max(255).optional().meta({
                description:
                  'Same key and content within 24 h creates nothing and answers 202 with the same submission and message ids and their current status, marked by the response header `Idempotent-Replayed: true`; other content is 409',
              }),
            }),
          },
          requestBody: {
            content: {
              'application/json': { schema: envelopeSchema },
              'multipart/form-data': {
                schema: z.object({ submission: envelopeSchema }).catchall(z.string()).meta({
                  description:
                    'Part `submission` holds the envelope (attachment entries without `content`); one part per attachment, named by its id',
                }),
              },
            },
          },
          responses: {
            '202': {
              ...json('accepted: validated, routed and stored', acceptedSchema),
              headers: z.object({ Location: z.url().meta({ description: 'the status URL (same as `statusUrl`)' }) }),
            },
            '400': problem('invalid envelope or JSON'),
            '401': unauthenticated,
            '403': problem('service or region not allowed for this portal'),
            '409': problem('idempotency key reused with other content'),
            '413': problem('payload too large'),
            '415': problem('unsupported media type'),
            '422': problem(
              'unknown service, unroutable region, invalid data or attachment; or the configuration: a recipient key that ' +
                'cannot be used (invalid-recipient-key), a FIT-Connect destination that does not take this service, ' +
                'schema or metadata version (destination-does-not-accept)',
            ),
            '429': rateLimited,
            '503': {
              description:
                'busy, nothing stored: the gateway holds as many submissions as it may at once (its intake threads ' +
                "and their queue, or bodies in memory), or a destination's encryption key or FIT-Connect delivery " +
                'service cannot be reached now. Send the same request again after Retry-After, with the same ' +
                'Idempotency-Key',
              headers: z.object({
                'Retry-After': z.string().meta({ description: 'seconds to wait before sending it again' }),
              }),
              content: { 'application/problem+json': { schema: problemSchema } },
            },
          },
        },
      },
      '/v1/submissions/{submissionId}': {
        get: {
          operationId: 'getSubmission',
          summary: 'Status and history of a submission (only for the portal that sent it)',
          security: portal,
          requestParams: { path: z.object({ submissionId: z.string() }) },
          responses: {
            '200': json('status', submissionStatusSchema),
            '401': unauthenticated,
            '404': problem('no such submission for this portal'),
            '429': rateLimited,
          },
        },
      },
      '/v1/submissions/{submissionId}/events': {
        get: {
          operationId: 'getSubmissionEventLog',
          summary: "The submission's append-only, hash-chained event log (receipts kept verbatim as evidence)",
          security: portal,
          requestParams: { path: z.object({ submissionId: z.string() }) },
          responses: {
            '200': json('event log', eventLogSchema),
            '401': unauthenticated,
            '404': problem('no such submission for this portal'),
            '429': rateLimited,
          },
        },
      },
      '/v1/submissions/{submissionId}/replies': {
        get: {
          operationId: 'listReplies',
          summary: "The replies of the destinations to the portal's submission (issue 24), in their order",
          security: portal,
          requestParams: { path: z.object({ submissionId: z.string() }) },
          responses: {
            '200': json('replies', replyListSchema),
            '401': unauthenticated,
            '404': problem('no such submission for this portal'),
            '429': rateLimited,
          },
        },
      },
      '/v1/submissions/{submissionId}/replies/{replyId}': {
        get: {
          operationId: 'fetchReply',
          summary: 'One sealed reply (amtsbote-reply/1), which the portal kit opens; the first fetch marks it fetched',
          security: portal,
          requestParams: { path: replyPath },
          responses: {
            '200': json('the sealed reply, as docs/replies.md describes it', fetchedReplySchema),
            '401': unauthenticated,
            '404': problem('no such reply to this submission of this portal'),
            '429': rateLimited,
          },
        },
      },
      '/v1/submissions/{submissionId}/replies/{replyId}/confirmation': {
        post: {
          operationId: 'confirmReply',
          summary: "The portal's confirmation of a reply: accepted, or rejected with a reason",
          description: 'The first confirmation stands: the same one again answers as before, another is 409.',
          security: portal,
          requestParams: { path: replyPath },
          requestBody: { content: { 'application/json': { schema: replyConfirmationSchema } } },
          responses: {
            '200': json('confirmed: the reply as it now stands', replySummarySchema),
            '400': problem('invalid confirmation or JSON'),
            '401': unauthenticated,
            '404': problem('no such reply to this submission of this portal'),
            '409': problem('the reply was confirmed otherwise before'),
            '429': rateLimited,
          },
        },
      },
      '/v1/replies': {
        post: {
          operationId: 'postReply',
          summary:
            "A reply of the specialist software to a submission (amtsbote-reply/1): its metadata signed with the destination's registered receipt key, its content encrypted to the portal's reply key",
          description:
            'The signature authenticates the sender: no bearer token. The reply id in the metadata is the idempotency key: the same reply again answers 202 with `Idempotent-Replayed: true`.',
          security: open,
          requestBody: { content: { 'application/json': { schema: postedReplySchema } } },
          responses: {
            '202': {
              ...json('reply received and countersigned', receivedReplySchema),
              headers: z.object({ Location: z.url().meta({ description: 'the status URL (same as `statusUrl`)' }) }),
            },
            '400': problem('not JSON'),
            '409': problem('another reply was received under this reply id before'),
            '413': problem('reply too large'),
            '415': problem('not application/json'),
            '422': problem('reply refused: form, signature, key, or the message and submission it answers'),
            '429': rateLimited,
          },
        },
      },
      '/v1/replies/{replyId}': {
        get: {
          operationId: 'getReplyStatus',
          summary: "Where the destination's reply stands, with the portal's confirmation",
          security: mailboxIfAny,
          requestParams: { path: z.object({ replyId: z.string() }) },
          responses: {
            '200': json('status', replyStatusSchema),
            '404': problem('no such reply, or a mailbox destination without its token'),
            '429': rateLimited,
          },
        },
      },
      '/v1/messages/{messageId}/reply-key': {
        get: {
          operationId: 'getReplyKey',
          summary: "The portal's public key a reply to this message is encrypted to",
          security: mailboxIfAny,
          requestParams: { path: z.object({ messageId: z.string() }) },
          responses: {
            '200': json('reply key', replyKeySchema),
            '404': problem('no such message (or a mailbox destination without its token), or no reply key'),
            '429': rateLimited,
          },
        },
      },
      '/v1/events': {
        post: {
          operationId: 'postReceipt',
          summary:
            "A receipt from the specialist software: a FIT-Connect Security Event Token (accept-submission or reject-submission), signed PS512 with the destination's registered receipt key",
          description: 'The signature authenticates the sender: no bearer token.',
          security: open,
          requestBody: {
            content: {
              'application/jose': { schema: z.string().meta({ description: 'compact JWS, typ secevent+jwt' }) },
            },
          },
          responses: {
            '202': json('receipt applied', receiptResultSchema),
            '409': problem('receipt replayed (jti seen before)'),
            '413': problem('larger than 256 KiB'),
            '415': problem('not application/jose'),
            '422': problem('receipt refused: signature, claims, tags or the message it names'),
            '429': rateLimited,
          },
        },
      },
      '/v1/mailbox/{destinationId}/messages': {
        get: {
          operationId: 'listMailboxMessages',
          summary: "The sealed messages waiting in a destination's mailbox, oldest first (keyset-paged)",
          security: mailbox,
          requestParams: {
            path: z.object({ destinationId: z.string() }),
            query: z.object({
              after: z.string().optional().meta({ description: 'The `next` of the previous page (a message id)' }),
              limit: z.int().min(1).max(100).optional().meta({ description: 'Page size (default and at most 100)' }),
            }),
          },
          responses: {
            '200': json('messages', mailboxListSchema),
            '401': problem('no token, or not the token of this mailbox'),
            '429': rateLimited,
          },
        },
      },
      '/v1/mailbox/{destinationId}/messages/{messageId}': {
        get: {
          operationId: 'fetchMailboxMessage',
          summary: 'One sealed message (amtsbote-sealed/1); the first fetch records its delivery',
          security: mailbox,
          requestParams: { path: z.object({ destinationId: z.string(), messageId: z.string() }) },
          responses: {
            '200': json(
              'the sealed container, as docs/sealed-message.md describes it',
              z.record(z.string(), z.unknown()),
            ),
            '401': problem('no token, or not the token of this mailbox'),
            '404': problem('no such message in this mailbox'),
            '429': rateLimited,
          },
        },
      },
    },
  });
}
