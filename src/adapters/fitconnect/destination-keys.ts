import { recipientKeyError, type ProvidedKeySource, type RecipientKeyProvider } from '../../seal/index.js';
import { AmtsboteError } from '../../lib/errors.js';
import { isOutcome } from './client.js';
import type { FitConnectAdapterConfig } from './config.js';
import {
  type DestinationDirectory,
  DestinationUnavailable,
  type FitConnectDirectories,
} from './destination-directory.js';
import type { FitConnectReason } from './reasons.js';
import { attemptErrorReason } from './reasons.js';

/** The provider kind of FIT-Connect's per-destination keys in a ProvidedKeySource. */
export const fitConnectKeyKind = 'fitconnect';

/** A kid FIT-Connect could have issued (8–64 characters there); anything else is never sent to the service. */
const plausibleKid = /^[\w.~:-]{1,128}$/;

export interface DestinationKeyOptions {
  now: () => number;
  /** A cached key is read again in the background after this; a failed read keeps it. */
  refreshMs: number;
  /** A kid the service did not hand out is not asked for again sooner than this. Default 30 s. */
  minRefetchMs?: number;
  /**
   * Kids nobody asked for before (a receipt naming a new key) are fetched at most this often per destination,
   * so receipts with made-up kids cannot make the gateway flood the service. Default 1 s.
   */
  unknownKidIntervalMs?: number;
  timeoutMs: number;
}

/**
 * A FIT-Connect destination's keys as the Submission API hands them out (PROTOCOL.md §1.1, §3.5): the key new
 * messages are sealed to is the one the destination names as `encryptionKid` (read through the directory,
 * with the sender's token), fetched by `GET /destinations/{id}/keys/{kid}`; a receipt's verify key is fetched
 * by the receipt's `kid` the same way. So two or more keys in the destination's set — every rotation — never
 * make a choice ambiguous. Keys are cached by kid: a cached key is served at once and refreshed in the
 * background (a failed refresh keeps it); a kid the cache lacks is fetched and waited for.
 */
export function destinationKeyProvider(
  directory: Pick<DestinationDirectory, 'destinationId' | 'api' | 'info'>,
  options: DestinationKeyOptions,
): RecipientKeyProvider {
  const { destinationId } = directory;
  const minRefetchMs = options.minRefetchMs ?? 30_000;
  const unknownKidIntervalMs = options.unknownKidIntervalMs ?? 1000;
  const cached = new Map<string, { jwk: Record<string, unknown>; fetchedAt: number }>();
  const failed = new Map<string, { error: Error; at: number }>();
  const inflight = new Map<string, Promise<Record<string, unknown>>>();
  let lastUnknownFetchAt = Number.NEGATIVE_INFINITY;

  async function fetchKey(kid: string): Promise<Record<string, unknown>> {
    let failure: { reason: FitConnectReason; httpStatus?: number } | undefined;
    try {
      const answer = await directory.api(
        'GET',
        `/destinations/${destinationId}/keys/${encodeURIComponent(kid)}`,
        AbortSignal.timeout(options.timeoutMs),
      );
      if (isOutcome(answer)) {
        failure = {
          reason: answer.kind === 'retry' || answer.kind === 'failed' ? answer.reason : 'fitconnect-key-unreadable',
        };
      } else if (answer.status === 404) {
        throw recipientKeyError(
          'kid-not-found',
          `the FIT-Connect destination ${destinationId} has no key "${kid}"`,
          kid,
        );
      } else if (answer.status !== 200) {
        failure = { reason: `fitconnect-key-http-${answer.status}`, httpStatus: answer.status };
      } else {
        const jwk = keyOfAnswer(answer.text, kid);
        if (jwk) {
          cached.set(kid, { jwk, fetchedAt: options.now() });
          failed.delete(kid);
          return jwk;
        }
        failure = { reason: 'fitconnect-key-unreadable', httpStatus: answer.status };
      }
    } catch (error) {
      if (error instanceof AmtsboteError) {
        failed.set(kid, { error, at: options.now() });
        throw error;
      }
      failure = { reason: attemptErrorReason(error) };
    }
    const error = new DestinationUnavailable(destinationId, failure);
    failed.set(kid, { error, at: options.now() });
    throw error;
  }

  function startFetch(kid: string): Promise<Record<string, unknown>> {
    let running = inflight.get(kid);
    if (!running) {
      running = fetchKey(kid).finally(() => inflight.delete(kid));
      inflight.set(kid, running);
    }
    return running;
  }

  async function keyFor(kid: string, namedByDestination: boolean): Promise<Record<string, unknown>> {
    const now = options.now();
    const hit = cached.get(kid);
    const lastFailure = failed.get(kid);
    const backedOff = lastFailure !== undefined && now - lastFailure.at < minRefetchMs;
    if (hit) {
      if (now - hit.fetchedAt >= options.refreshMs && !backedOff) startFetch(kid).catch(() => undefined);
      return hit.jwk;
    }
    if (!plausibleKid.test(kid))
      throw recipientKeyError('kid-not-found', `"${kid.slice(0, 40)}" is not a FIT-Connect key id`);
    const running = inflight.get(kid);
    if (running) return running;
    if (backedOff) throw lastFailure.error;
    if (!namedByDestination) {
      // Only the kid in a receipt's header leads here: rate-limited, since anyone can post a receipt.
      if (now - lastUnknownFetchAt < unknownKidIntervalMs)
        throw new DestinationUnavailable(destinationId, { reason: 'fitconnect-key-refetch-limited' });
      lastUnknownFetchAt = now;
    }
    return startFetch(kid);
  }

  return {
    origin: `FIT-Connect destination ${destinationId}`,
    async encryptionJwk() {
      const { encryptionKid } = await directory.info();
      if (encryptionKid === undefined)
        throw recipientKeyError('kid-not-found', `the FIT-Connect destination ${destinationId} names no encryptionKid`);
      return keyFor(encryptionKid, true);
    },
    receiptJwk: (kid) => keyFor(kid, false),
  };
}

/** One JWK: the answer itself, or — from services that answer with a set — the member with the kid asked for. */
function keyOfAnswer(text: string, kid: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = (value as { keys?: unknown }).keys;
  const jwk = Array.isArray(keys)
    ? (keys as unknown[]).find((k) => (k as { kid?: unknown } | null)?.kid === kid)
    : value;
  if (jwk === null || typeof jwk !== 'object' || (jwk as { kid?: unknown }).kid !== kid) return undefined;
  return jwk as Record<string, unknown>;
}

/** The key source a FIT-Connect destination has when routing names no key of its own. */
export function fitConnectKeySource(config: FitConnectAdapterConfig): ProvidedKeySource {
  return { provided: { kind: fitConnectKeyKind, settings: config }, certificateChain: config.keyCertificateChain };
}

/**
 * The resolver's `keyProvider` for FIT-Connect sources: one provider per destination directory (so its key
 * cache lives as long as the directory), all sharing the gateway's directories.
 */
export function fitConnectKeyProviders(
  directories: FitConnectDirectories,
  now: () => Date,
): (provided: ProvidedKeySource['provided']) => RecipientKeyProvider {
  const providers = new WeakMap<DestinationDirectory, RecipientKeyProvider>();
  return (provided) => {
    if (provided.kind !== fitConnectKeyKind)
      throw new AmtsboteError('unavailable', `keys of kind "${provided.kind}" cannot be fetched here`);
    const config = provided.settings as FitConnectAdapterConfig;
    const directory = directories.directoryFor(config);
    let provider = providers.get(directory);
    if (!provider) {
      provider = destinationKeyProvider(directory, {
        now: () => now().getTime(),
        refreshMs: config.destinationRefreshSeconds * 1000,
        timeoutMs: config.timeoutMs,
      });
      providers.set(directory, provider);
    }
    return provider;
  };
}
