import { z } from 'zod';
import { adapterConfigSchema } from '../adapters/config/index.js';
import { destinationIdSchema, regionPrefixSchema, serviceKeySchema } from './identifiers.js';
import { instantMs, windowsOverlap } from './rule-validity.js';
import { waitDurationSchema } from './wait-duration.js';

/** A public RSA key as JWK; key-strength policy is checked where keys are loaded (seal/). */
const publicJwkSchema = z
  .looseObject({
    kty: z.string(),
    kid: z.string().min(1),
    n: z.string().optional(),
    e: z.string().optional(),
    alg: z.string().optional(),
    use: z.string().optional(),
    key_ops: z.array(z.string()).optional(),
    x5c: z.array(z.string()).optional(),
  })
  .refine((jwk) => !('d' in jwk) && !('p' in jwk), {
    message: 'must be a public key (contains private members)',
    params: { code: 'private-key' },
  });

export const keySourceSchema = z.union([
  z.strictObject({ jwk: publicJwkSchema }),
  z.strictObject({
    jwksUrl: z.url({ protocol: /^https?$/ }),
    kid: z.string().min(1).optional(),
    // Down to a second: a short interval is for tests and drills; a request never waits for a refresh anyway.
    refreshSeconds: z.number().int().min(1).default(3600),
  }),
]);

/** DVDV identity of an authority: prefix + key of a code list, e.g. `dvdv` + AGS. */
export const authorityIdentitySchema = z.strictObject({
  praefix: z.string().min(1).max(20),
  kennung: z.string().min(1).max(80),
  kennungListUri: z.string().min(1),
  name: z.string().min(1).max(255),
});

export const destinationSchema = z.strictObject({
  id: destinationIdSchema,
  name: z.string().min(1).max(200),
  enabled: z.boolean().default(true),
  adapter: adapterConfigSchema,
  sealing: z.enum(['amtsbote-sealed/1', 'fitconnect']).default('amtsbote-sealed/1'),
  /**
   * The recipient's encryption key: messages are sealed to it. Optional for FIT-Connect destinations only:
   * without it their keys are the ones the delivery service hands out (destination-key-sources.ts).
   */
  encryptionKey: keySourceSchema.optional(),
  /** The key that signs the recipient's receipts (SETs); optional as `encryptionKey` is. */
  receiptKey: keySourceSchema.optional(),
  /** What the recipient accepts: the destination alone chooses standard, version and message. */
  standard: z.strictObject({
    name: z.string().min(1),
    version: z.string().min(1),
    message: z.string().min(1),
  }),
  leser: authorityIdentitySchema,
  /** Retry schedule: exponential back-off with jitter from `initialDelaySeconds` up to `maxDelaySeconds`. */
  retry: z
    .strictObject({
      initialDelaySeconds: z.number().min(0.01).max(3600).default(5),
      maxDelaySeconds: z.number().min(0.01).max(86_400).default(36_000),
      /** Attempts before a delivery is dead-lettered; the default spans about a day. */
      maxAttempts: z.number().int().min(1).max(100).default(16),
    })
    .default({ initialDelaySeconds: 5, maxDelaySeconds: 36_000, maxAttempts: 16 }),
  /** Circuit breaker (per destination and instance): opens after this many consecutive failures. */
  breaker: z
    .strictObject({
      consecutiveFailures: z.number().int().min(1).max(1000).default(5),
      halfOpenAfterSeconds: z.number().min(0.05).max(3600).default(30),
    })
    .default({ consecutiveFailures: 5, halfOpenAfterSeconds: 30 }),
});

/** An instant: an ISO 8601 date-time with offset, or a date meaning midnight in Germany (Europe/Berlin). */
export const instantSchema = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  error: 'must be a date (2027-01-01) or a date-time with offset (2027-01-01T00:00:00+01:00)',
});

/**
 * What a deferred rule waits for when it says nothing (README, "Deferred destinations"): GewO § 15 (1) gives
 * the authority three days for its receipt of a Gewerbeanzeige, so a procedure that has not confirmed within a
 * week does not confirm at all, and the entitled bodies are owed their copy.
 */
export const deferredDefaults = { maxWait: 'P7D', onTimeout: 'release' } as const;

export const routingRuleSchema = z
  .strictObject({
    service: serviceKeySchema,
    /** A full ARS, or a prefix of one for a whole district (`14713`) or state (`14`). */
    region: regionPrefixSchema,
    destinations: z.array(destinationIdSchema).min(1),
    /** Responsibility changes on a fixed date: from (inclusive) … until (exclusive), against the time of receipt. */
    validFrom: instantSchema.optional(),
    validUntil: instantSchema.optional(),
    /**
     * Destinations that receive their message only once `after` (one of `destinations`) has accepted the
     * case — the GewAnzV distribution to the entitled recipients once the Gewerbeamt took it; a reject
     * cancels them. Many procedures never confirm: after `maxWait` (from receipt) `release` sends them
     * anyway, provided `after` has at least been delivered; `dead-letter` makes them dead letters with the
     * reason, for an operator to decide.
     */
    deferred: z
      .strictObject({
        after: destinationIdSchema,
        destinations: z.array(destinationIdSchema).min(1),
        maxWait: waitDurationSchema.default(deferredDefaults.maxWait),
        onTimeout: z.enum(['release', 'dead-letter']).default(deferredDefaults.onTimeout),
      })
      .optional(),
    note: z.string().max(500).optional(),
  })
  .refine((r) => !r.deferred || r.destinations.includes(r.deferred.after), {
    message: "must be one of the rule's destinations",
    path: ['deferred', 'after'],
    params: { code: 'deferred-after-not-a-destination' },
  })
  .refine((r) => !r.validFrom || !r.validUntil || instantMs(r.validFrom) < instantMs(r.validUntil), {
    message: 'validUntil must be after validFrom',
    path: ['validUntil'],
    params: { code: 'until-before-from' },
  });

export const routingSchema = z
  .strictObject({
    destinations: z.array(destinationSchema).min(1),
    rules: z.array(routingRuleSchema),
  })
  .superRefine((routing, ctx) => {
    const ids = new Set<string>();
    routing.destinations.forEach((d, i) => {
      if (ids.has(d.id))
        ctx.addIssue({
          code: 'custom',
          path: ['destinations', i, 'id'],
          message: `duplicate destination id "${d.id}"`,
          params: { code: 'duplicate-destination', id: d.id },
        });
      ids.add(d.id);
      // Only a FIT-Connect destination's service hands out its keys; every other destination names its own.
      if (d.adapter.kind !== 'fitconnect') {
        for (const member of ['encryptionKey', 'receiptKey'] as const) {
          if (d[member] === undefined)
            ctx.addIssue({
              code: 'custom',
              path: ['destinations', i, member],
              message: `is required (only a fitconnect destination's keys are read from its delivery service)`,
              params: { code: 'key-required' },
            });
        }
      }
      // A FIT-Connect delivery service takes only its own format, and its format means nothing elsewhere.
      if ((d.sealing === 'fitconnect') !== (d.adapter.kind === 'fitconnect')) {
        ctx.addIssue({
          code: 'custom',
          path: ['destinations', i, 'sealing'],
          message: 'sealing "fitconnect" goes with adapter kind "fitconnect", and only with it',
          params: { code: 'fitconnect-sealing' },
        });
      }
    });
    routing.rules.forEach((rule, i) => {
      rule.destinations.forEach((id, j) => {
        if (!ids.has(id))
          ctx.addIssue({
            code: 'custom',
            path: ['rules', i, 'destinations', j],
            message: `unknown destination "${id}"`,
            params: { code: 'unknown-destination', id },
          });
      });
      rule.deferred?.destinations.forEach((id, j) => {
        if (!ids.has(id))
          ctx.addIssue({
            code: 'custom',
            path: ['rules', i, 'deferred', 'destinations', j],
            message: `unknown destination "${id}"`,
            params: { code: 'unknown-destination', id },
          });
      });
      // Two equally specific rules for the same service whose validity overlaps would leave the winner to chance.
      for (let k = 0; k < i; k++) {
        const other = routing.rules[k];
        if (other && other.service === rule.service && other.region === rule.region && windowsOverlap(other, rule)) {
          ctx.addIssue({
            code: 'custom',
            path: ['rules', i, 'region'],
            message: `ties with rule ${k}: same service ${rule.service}, same region ${rule.region} and overlapping validity`,
            // `rule` is the index, as in pointers; a page counting from 1 adds one
            params: { code: 'rule-tie', rule: k },
          });
        }
      }
    });
  });

export type Routing = z.infer<typeof routingSchema>;
export type Destination = z.infer<typeof destinationSchema>;
export type RoutingRule = z.infer<typeof routingRuleSchema>;
export type AuthorityIdentity = z.infer<typeof authorityIdentitySchema>;
