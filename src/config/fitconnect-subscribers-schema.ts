import { z } from 'zod';
import { secretRefSchema } from '../lib/secret-ref.js';
import { regionKeySchema } from './identifiers.js';

/** A data schema a destination takes, as FIT-Connect names it (`contentStructure.data.submissionSchema`). */
const dataSchemaSchema = z.strictObject({
  schemaUri: z.url(),
  mimeType: z.enum(['application/json', 'application/xml']),
});

/**
 * One FIT-Connect destination (Zustellpunkt) a municipality registered, whose submissions this gateway picks up.
 * Key files are paths relative to the config file's folder; the callback secret is a secret reference.
 */
const subscriberDestinationSchema = z.strictObject({
  destinationId: z.uuid(),
  /** The region (ARS) the destination serves: routing takes the case on by (service × this region). */
  regionKey: regionKeySchema,
  /** Private JWKs (RSA-OAEP-256) the senders encrypt to; several during a rotation, chosen by `kid`. */
  decryptionKeys: z.array(z.string().min(1)).min(1).max(10),
  /** Private JWK (PS512) signing the accept and reject SETs; its public half is the destination's signature key. */
  signingKey: z.string().min(1),
  /** The secret FIT-Connect signs callbacks with (`callback-authentication`); absent: polling only. */
  callbackSecret: secretRefSchema.optional(),
  /** The data schemas this destination takes; anything else is rejected (`unsupported-schema`). */
  dataSchemas: z.array(dataSchemaSchema).min(1).max(100),
});

/** A subscriber client (Empfangsdienst) of a delivery service, with the destinations it serves. */
export const fitConnectSubscriberSchema = z.strictObject({
  /** A short name for logs, metrics and the admin page. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and hyphens'),
  tokenUrl: z.url({ protocol: /^https?$/ }),
  /** The Submission API's base, without the version segment. */
  submissionApiUrl: z.url({ protocol: /^https?$/ }),
  apiVersion: z.enum(['v1', 'v2']).default('v2'),
  clientId: z.string().min(1).max(200),
  clientSecret: secretRefSchema,
  /** The fallback poll for new submissions (a callback only makes the pick-up start sooner). */
  pollSeconds: z.number().min(1).max(86_400).default(60),
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  /** The delivery service's JWKS for its own SETs; default `<submissionApiUrl>/.well-known/jwks.json`. */
  deliveryServiceJwksUrl: z.url({ protocol: /^https?$/ }).optional(),
  destinations: z.array(subscriberDestinationSchema).min(1).max(100),
});

export const fitConnectSubscribersSchema = z
  .array(fitConnectSubscriberSchema)
  .max(20)
  .superRefine((clients, ctx) => {
    const seen = new Set<string>();
    const names = new Set<string>();
    clients.forEach((client, i) => {
      if (names.has(client.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: 'another subscriber client has this name' });
      names.add(client.name);
      client.destinations.forEach((d, j) => {
        if (seen.has(d.destinationId))
          ctx.addIssue({
            code: 'custom',
            path: [i, 'destinations', j, 'destinationId'],
            message: 'this destination is configured twice',
          });
        seen.add(d.destinationId);
      });
    });
  });

export type FitConnectSubscriberConfig = z.output<typeof fitConnectSubscriberSchema>;
export type SubscriberDestinationConfig = FitConnectSubscriberConfig['destinations'][number];
