import { z } from 'zod';
import { callbackConfigSchema } from '../adapters/callback-config.js';
import { serviceKeySchema } from './identifiers.js';
import { authorityIdentitySchema } from './routing-schema.js';
import { tokenHashSchema } from '../lib/token-hash.js';

/**
 * A portal as gateway.yaml seeds it: the one declaration of a portal, its callback and its identity. The
 * store, the mapping engine and the callback sender use the types derived here.
 */
export const portalSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be lower-case letters, digits and hyphens'),
  name: z.string().min(1).max(200),
  tokenHashes: z.array(tokenHashSchema).min(1),
  /** LeiKa keys this portal may submit, or `*` for all. */
  services: z.array(z.union([serviceKeySchema, z.literal('*')])).min(1),
  /** ARS prefixes (`14` = Saxony, `146120000000` = Dresden) this portal may submit for. */
  regions: z.array(z.string().regex(/^[0-9]{1,12}$/, 'must be an ARS or a prefix of one')).min(1),
  /**
   * The portal's own DVDV identity, for messages it writes itself (XMeld's online-service messages name
   * the online service as `autor`, with ways to reach it and a postal address).
   */
  identity: authorityIdentitySchema
    .extend({
      erreichbarkeit: z
        .array(
          z.strictObject({
            kanal: z.string().regex(/^[0-9]{2}$/),
            kennung: z.string().min(1).max(255),
            zusatz: z.string().max(255).optional(),
          }),
        )
        .min(1),
      anschrift: z.strictObject({
        strasse: z.string().min(1).max(55).optional(),
        hausnummer: z
          .string()
          .regex(/^[0-9]{1,4}$/)
          .optional(),
        hausnummerZusatz: z.string().max(10).optional(),
        postfach: z.string().max(20).optional(),
        postleitzahl: z.string().regex(/^[0-9]{5}$/),
        ort: z.string().min(1).max(44),
      }),
    })
    .optional(),
  /** Status callbacks: signed with `secret` (Standard Webhooks), only to `allowedHosts`. */
  callback: callbackConfigSchema.optional(),
});

export type Portal = z.infer<typeof portalSchema>;

export type PortalCallback = z.infer<typeof callbackConfigSchema>;
export type PortalIdentity = NonNullable<Portal['identity']>;
