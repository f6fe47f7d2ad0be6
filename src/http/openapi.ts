import { createDocument } from 'zod-openapi';
import { z } from 'zod';
import { envelopeSchema } from '../intake/envelope-schema.js';
import { acceptedSchema, eventLogSchema, healthSchema, problemSchema, receiptResultSchema, serviceListSchema, submissionListSchema, submissionStatusSchema } from './api-schemas.js';

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });
const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });

/** The portal API as OpenAPI 3.1, generated from the zod schemas that validate the requests. */
export function openApiDocument(version: string): ReturnType<typeof createDocument> {
  const bearer = [{ portalToken: [] }];
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Amtsbote portal API',
      version,
      description: 'Portals submit citizen service cases; the gateway maps, seals and delivers them to the specialist procedure.',
    },
    components: { securitySchemes: { portalToken: { type: 'http', scheme: 'bearer' } } },
    paths: {
      '/health/live': { get: { summary: 'Process is alive', responses: { '200': json('alive', healthSchema) } } },
      '/health/ready': {
        get: {
          summary: 'Store reachable and configuration loaded; reports the configuration hash',
          responses: { '200': json('ready', healthSchema), '503': json('not ready', healthSchema) },
        },
      },
      '/v1/services': {
        get: {
          summary: 'Services this portal may submit',
          security: bearer,
          responses: { '200': json('services', serviceListSchema), '401': problem('no or wrong token') },
        },
      },
      '/v1/services/{serviceKey}/schema': {
        get: {
          summary: "JSON Schema of a service's data",
          security: bearer,
          requestParams: { path: z.object({ serviceKey: z.string() }) },
          responses: {
            '200': { description: 'JSON Schema (draft 2020-12)', content: { 'application/schema+json': { schema: z.record(z.string(), z.unknown()) } } },
            '401': problem('no or wrong token'),
            '404': problem('unknown service'),
          },
        },
      },
      '/v1/submissions': {
        get: {
          summary: "The portal's submissions changed since a time, for reconciliation (keyset-paged)",
          security: bearer,
          requestParams: { query: z.object({ since: z.string().optional(), status: z.string().optional(), after: z.string().optional(), limit: z.string().optional() }) },
          responses: { '200': json('submissions', submissionListSchema), '400': problem('invalid query'), '401': problem('no or wrong token') },
        },
        post: {
          summary: 'Submit a case',
          security: bearer,
          requestParams: {
            header: z.object({
              'idempotency-key': z.string().max(255).optional().meta({ description: 'Same key and content within 24 h creates nothing and answers 202 with the same submission and message ids and their current status, marked by the response header `Idempotent-Replayed: true`; other content is 409' }),
            }),
          },
          requestBody: {
            content: {
              'application/json': { schema: envelopeSchema },
              'multipart/form-data': {
                schema: z.object({ submission: envelopeSchema }).catchall(z.string()).meta({
                  description: 'Part `submission` holds the envelope (attachment entries without `content`); one part per attachment, named by its id',
                }),
              },
            },
          },
          responses: {
            '202': json('accepted: validated, routed and stored', acceptedSchema),
            '400': problem('invalid envelope or JSON'),
            '401': problem('no or wrong token'),
            '403': problem('service or region not allowed for this portal'),
            '409': problem('idempotency key reused with other content'),
            '413': problem('payload too large'),
            '415': problem('unsupported media type'),
            '422': problem('unknown service, unroutable region, invalid data or attachment'),
          },
        },
      },
      '/v1/submissions/{submissionId}/events': {
        get: {
          summary: "The submission's append-only, hash-chained event log (receipts kept verbatim as evidence)",
          security: bearer,
          requestParams: { path: z.object({ submissionId: z.string() }) },
          responses: { '200': json('event log', eventLogSchema), '401': problem('no or wrong token'), '404': problem('no such submission for this portal') },
        },
      },
      '/v1/events': {
        post: {
          summary: 'A receipt from the specialist software: a FIT-Connect Security Event Token (accept-submission or reject-submission), signed PS512 with the destination\'s registered receipt key',
          requestBody: { content: { 'application/jose': { schema: z.string().meta({ description: 'compact JWS, typ secevent+jwt' }) } } },
          responses: { '202': json('receipt applied', receiptResultSchema), '409': problem('receipt replayed (jti seen before)'), '415': problem('not application/jose'), '422': problem('receipt refused: signature, claims, tags or the message it names') },
        },
      },
      '/v1/submissions/{submissionId}': {
        get: {
          summary: 'Status and history of a submission (only for the portal that sent it)',
          security: bearer,
          requestParams: { path: z.object({ submissionId: z.string() }) },
          responses: { '200': json('status', submissionStatusSchema), '401': problem('no or wrong token'), '404': problem('no such submission for this portal') },
        },
      },
    },
  });
}
