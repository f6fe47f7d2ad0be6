import { z } from 'zod';
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
            code: z.string().meta({ description: 'Stable error class of the attempt, e.g. `http-503`, `timeout`, `network-error` (never payload).' }),
            at: z.iso.datetime().meta({ description: 'When that attempt started.' }),
          })
          .optional()
          .meta({ description: 'Present while the latest delivery attempt to this destination failed.' }),
        updatedAt: z.iso.datetime(),
      }),
    ),
    history: z.array(z.object({ seq: z.int().min(1), at: z.iso.datetime(), type: z.string(), status: status.optional() })),
  })
  .meta({ id: 'SubmissionStatus' });

export const problemSchema = z
  .object({
    type: z.url(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details; `errors` point into the request body with JSON pointers' });

export const serviceSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    description: z.string().optional(),
    schemaUrl: z.url(),
    attachments: z.object({ maxCount: z.int(), maxBytes: z.int(), mediaTypes: z.array(z.string()), purposes: z.array(z.enum(ATTACHMENT_PURPOSES)).optional().meta({ description: 'The purposes an attachment may have; any when absent' }) }),
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
      .meta({ description: 'Every standard version the loaded mappings can produce for this service; a destination names the one it accepts' }),
  })
  .meta({ id: 'Service' });

export const serviceListSchema = z.object({ services: z.array(serviceSchema) }).meta({ id: 'ServiceList' });

export const healthSchema = z
  .object({ status: z.enum(['ok', 'unavailable']), store: z.string().optional(), configHash: z.string().optional(), version: z.string().optional() })
  .meta({ id: 'Health' });

export const submissionListSchema = z
  .object({
    submissions: z.array(
      z.object({ submissionId: z.string(), serviceKey: z.string(), regionKey: z.string(), reference: z.string().optional(), status, receivedAt: z.iso.datetime(), updatedAt: z.iso.datetime() }),
    ),
    next: z.string().optional().meta({ description: 'pass as `after` for the next page' }),
  })
  .meta({ id: 'SubmissionList' });

export const eventLogSchema = z
  .object({
    submissionId: z.string(),
    events: z.array(z.object({ seq: z.int().min(1), at: z.iso.datetime(), type: z.string(), data: z.record(z.string(), z.unknown()), prevHash: z.string(), hash: z.string() })),
  })
  .meta({ id: 'EventLog' });

export const receiptResultSchema = z
  .object({ messageId: z.string(), submissionId: z.string(), state: z.enum(['accepted', 'rejected']), released: z.int(), cancelled: z.int() })
  .meta({ id: 'ReceiptResult' });
