import type { Admin } from '../config/gateway-schema.js';
import type { Destination, Routing } from '../config/routing-schema.js';
import { secretRefSchema } from '../lib/secret-ref.js';
import { destinationsOutsideScope } from './region-scope.js';

/** What stands where a secret reference or a token hash was. Deliberately not a valid value of either. */
export const redacted = '(redacted)';

/** Adapter members an admin who may not change the destination does not need: secret references and token hashes. */
function sensitive(key: string, value: unknown): boolean {
  return key === 'tokenHashes' || (typeof value === 'string' && secretRefSchema.safeParse(value).success);
}

/**
 * A destination without its adapter's secret references and token hashes (a mailbox's hashes can be guessed against
 * offline).
 */
export function redactDestination(destination: Destination): Destination {
  const adapter = Object.fromEntries(
    Object.entries(destination.adapter).map(([key, value]) => [
      key,
      sensitive(key, value) ? (Array.isArray(value) ? [redacted] : redacted) : value,
    ]),
  );
  return { ...destination, adapter } as Destination;
}

/**
 * The destinations an admin may not change, and so sees redacted: every one for a viewer, those a rule
 * outside their regions names for a region-limited editor, none for an editor of every region.
 */
export function hiddenDestinations(admin: Pick<Admin, 'role' | 'regions'>, routing: Routing): (id: string) => boolean {
  if (admin.role !== 'editor') return () => true;
  if (!admin.regions) return () => false;
  const outside = destinationsOutsideScope([routing], admin.regions);
  return (id) => outside.has(id);
}

/** A routing document as an admin may read it. */
export function routingFor(admin: Pick<Admin, 'role' | 'regions'>, routing: Routing): Routing {
  const hidden = hiddenDestinations(admin, routing);
  return { ...routing, destinations: routing.destinations.map((d) => (hidden(d.id) ? redactDestination(d) : d)) };
}

/**
 * A document sent back as it was read: each placeholder in a destination's adapter stands again for the
 * value it replaced, where the current destination of that id has a secret there. So an admin saves what
 * they read without ever holding the secrets — and whether they may change that destination at all is
 * decided by the region scope, as for any change. A placeholder with nothing to stand for stays, and the
 * schema refuses it.
 */
export function restoreRedacted(document: unknown, current: Routing): unknown {
  if (!isRecord(document) || !Array.isArray(document.destinations)) return document;
  const byId = new Map(current.destinations.map((d) => [d.id, d]));
  const destinations = document.destinations.map((sent: unknown) => {
    const known = isRecord(sent) && typeof sent.id === 'string' ? byId.get(sent.id) : undefined;
    if (!known || !isRecord(sent) || !isRecord(sent.adapter)) return sent;
    const original = known.adapter as Record<string, unknown>;
    const adapter = Object.fromEntries(
      Object.entries(sent.adapter).map(([key, value]) => [
        key,
        isPlaceholder(value) && original[key] !== undefined && sensitive(key, original[key]) ? original[key] : value,
      ]),
    );
    return { ...sent, adapter };
  });
  return { ...document, destinations };
}

const isPlaceholder = (value: unknown) =>
  value === redacted || (Array.isArray(value) && value.length === 1 && value[0] === redacted);

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
