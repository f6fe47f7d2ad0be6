import { z } from 'zod';
import { AmtsboteError } from '../lib/errors.js';
import { zodProblem } from '../lib/zod-field-errors.js';
import { checkReplyKeySource } from '../replies/check-reply-key.js';
import type { KeyResolver } from '../seal/index.js';
import type { PortalReplyKey } from '../store/reply-types.js';
import type { Store } from '../store/store.js';

/** What an admin registers: an inline public JWK, or a JWKS URL (with the kid of the key meant, optionally). */
export const replyKeySourceSchema = z.union([
  z.strictObject({ jwk: z.record(z.string(), z.unknown()) }),
  z.strictObject({
    jwksUrl: z.url({ protocol: /^https?$/ }).max(2000),
    kid: z.string().min(1).max(200).optional(),
  }),
]);

/**
 * Registers a portal's reply key; the keys current until now stay usable for `overlapHours`, so replies the
 * destinations encrypted to them are still taken during a rotation. Audited as `actor` (admin API or CLI alike).
 */
export async function registerReplyKey(
  deps: { store: Store; resolver: KeyResolver },
  input: { portalId: string; source: unknown; now: Date; overlapHours: number; actor: string },
): Promise<{ portalId: string; kid: string; previousValidUntil: string }> {
  const parsed = replyKeySourceSchema.safeParse(input.source);
  if (!parsed.success) throw zodProblem('invalid-reply-key', 'The reply key', parsed.error);
  const portal = await deps.store.getPortal(input.portalId);
  if (!portal) throw new AmtsboteError('not-found', 'No such portal.');
  const kid = await checkReplyKeySource(deps.resolver, parsed.data);
  const now = input.now.toISOString();
  const previousValidUntil = new Date(input.now.getTime() + input.overlapHours * 3_600_000).toISOString();
  const key: PortalReplyKey = { portalId: portal.id, kid, source: parsed.data, createdAt: now };
  if (!(await deps.store.addPortalReplyKey(key, previousValidUntil)))
    throw new AmtsboteError('conflict', `Portal ${portal.id} has a reply key ${kid} already.`, [
      { pointer: '/jwk/kid', detail: 'taken' },
    ]);
  await deps.store.appendAudit({
    at: now,
    actor: input.actor,
    action: 'portals.reply-key',
    detail: { portalId: portal.id, kid, previousValidUntil },
  });
  return { portalId: portal.id, kid, previousValidUntil };
}

/** The portal's reply keys as an operator sees them: kid, where from, until when (no key material). */
export async function describeReplyKeys(
  store: Store,
  portalId: string,
  now: Date,
): Promise<{ kid: string; source: string; current: boolean; notAfter?: string | undefined; createdAt: string }[]> {
  const keys = await store.listPortalReplyKeys(portalId);
  return keys.map((k) => ({
    kid: k.kid,
    source: 'jwksUrl' in k.source ? k.source.jwksUrl : 'inline',
    current: k.notAfter === undefined || Date.parse(k.notAfter) > now.getTime(),
    notAfter: k.notAfter,
    createdAt: k.createdAt,
  }));
}
