import { z } from 'zod';
import { adapterConfigSchema } from '../adapters/config.js';
import { destinationIdSchema, regionKeySchema, serviceKeySchema } from './identifiers.js';

/** A public RSA key as JWK; key-strength policy is checked where keys are loaded (seal/). */
const publicJwkSchema = z.looseObject({
  kty: z.string(),
  kid: z.string().min(1),
  n: z.string().optional(),
  e: z.string().optional(),
  alg: z.string().optional(),
  use: z.string().optional(),
  key_ops: z.array(z.string()).optional(),
  x5c: z.array(z.string()).optional(),
}).refine((jwk) => !('d' in jwk) && !('p' in jwk), { message: 'must be a public key (contains private members)' });

export const keySourceSchema = z.union([
  z.strictObject({ jwk: publicJwkSchema }),
  z.strictObject({
    jwksUrl: z.url({ protocol: /^https?$/ }),
    kid: z.string().min(1).optional(),
    refreshSeconds: z.number().int().min(60).default(3600),
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
  /** The recipient's encryption key: messages are sealed to it. */
  encryptionKey: keySourceSchema,
  /** The key that signs the recipient's receipts (SETs). */
  receiptKey: keySourceSchema,
  /** What the recipient accepts: the destination alone chooses standard, version and message. */
  standard: z.strictObject({
    name: z.string().min(1),
    version: z.string().min(1),
    message: z.string().min(1),
  }),
  leser: authorityIdentitySchema,
});

export const routingRuleSchema = z.strictObject({
  service: serviceKeySchema,
  region: regionKeySchema,
  destinations: z.array(destinationIdSchema).min(1),
});

export const routingSchema = z
  .strictObject({
    destinations: z.array(destinationSchema).min(1),
    rules: z.array(routingRuleSchema),
  })
  .superRefine((routing, ctx) => {
    const ids = new Set<string>();
    routing.destinations.forEach((d, i) => {
      if (ids.has(d.id)) ctx.addIssue({ code: 'custom', path: ['destinations', i, 'id'], message: `duplicate destination id "${d.id}"` });
      ids.add(d.id);
    });
    const seen = new Set<string>();
    routing.rules.forEach((rule, i) => {
      const key = `${rule.service}/${rule.region}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['rules', i], message: `a second rule for service ${rule.service} and region ${rule.region}` });
      seen.add(key);
      rule.destinations.forEach((id, j) => {
        if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'destinations', j], message: `unknown destination "${id}"` });
      });
    });
  });

export type Routing = z.infer<typeof routingSchema>;
export type Destination = z.infer<typeof destinationSchema>;
export type RoutingRule = z.infer<typeof routingRuleSchema>;
export type AuthorityIdentity = z.infer<typeof authorityIdentitySchema>;
