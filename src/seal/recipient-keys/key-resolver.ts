import type { Dispatcher } from 'undici';
import { AmtsboteError } from '../../lib/errors.js';
import { recipientKeyError } from '../lib/errors.js';
import {
  checkEncryptionJwk,
  checkReceiptJwk,
  type RecipientEncryptionKey,
  type RecipientReceiptKey,
} from './check-recipient-jwk.js';
import { fetchJwks, type FetchedJwks } from './fetch-jwks.js';
import {
  type CertificateChainCheck,
  isProvidedSource,
  isRemoteSource,
  type KeySource,
  type ProvidedKeySource,
  type RecipientKeyProvider,
} from './key-source.js';
import { defaultRecipientKeyPolicy, type KeyPurpose, type RecipientKeyPolicy } from './policy.js';
import { purposeCandidates, selectJwk } from './select-jwk.js';

export interface KeyResolverOptions {
  policy?: RecipientKeyPolicy;
  dispatcher?: Dispatcher;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
  /** A JWKS never fetched successfully is not fetched again sooner than this after a failure. Default 10 s. */
  retryAfterFailureMs?: number;
  /** An unknown kid refetches a cached JWKS at most this often. Default 30 s. */
  minRefetchMs?: number;
  timeoutMs?: number;
  /** Called when a background refresh fails (the cached keys stay in use): for the log. */
  onRefreshError?: (url: string, error: Error) => void;
  /**
   * Turns a provided key source (FIT-Connect's per-destination keys) into its provider; the gateway wires the
   * adapters' providers here. Without it, provided sources cannot be resolved.
   */
  keyProvider?: (provided: ProvidedKeySource['provided']) => RecipientKeyProvider;
}

export interface JwksStatus {
  url: string;
  fetchedAt?: string;
  lastError?: string;
  keys: number;
}

export interface KeyResolver {
  /** The key a destination's messages are sealed to, checked against the policy. */
  encryptionKey(source: KeySource): Promise<RecipientEncryptionKey>;
  /** The key that verifies a destination's receipt; `kid` from the receipt's header. */
  receiptKey(source: KeySource, kid?: string): Promise<RecipientReceiptKey>;
  /** Checks a receipt source as a whole (load time): a named key, or at least one usable key of the set. */
  checkReceiptSource(source: KeySource): Promise<void>;
  /** Fetches a JWKS now and waits (start, routing load, operator's refresh). */
  refresh(url: string): Promise<void>;
  status(): JwksStatus[];
}

interface Entry {
  url: string;
  refreshMs: number;
  jwks?: FetchedJwks;
  fetchedAt?: number;
  lastAttemptAt?: number;
  lastError?: Error;
  inflight?: Promise<void>;
  /** `${purpose}:${chain}:${kid}` → the checked key of this JWKS version. */
  checked: Map<string, Promise<RecipientEncryptionKey | RecipientReceiptKey>>;
}

/**
 * Resolves destinations' keys. Inline JWKs are checked once and remembered. A JWKS URL is fetched on
 * first use and then served from the cache: once a key is cached, a request never waits for a refresh —
 * a stale JWKS is refreshed in the background and a failed refresh keeps the cached keys.
 */
export function createKeyResolver(options: KeyResolverOptions = {}): KeyResolver {
  const policy = options.policy ?? defaultRecipientKeyPolicy;
  const now = options.now ?? Date.now;
  const retryAfterFailureMs = options.retryAfterFailureMs ?? 10_000;
  const minRefetchMs = options.minRefetchMs ?? 30_000;
  const inline = new Map<string, Promise<RecipientEncryptionKey | RecipientReceiptKey>>();
  const remote = new Map<string, Entry>();
  const provided = new Map<string, Promise<RecipientEncryptionKey | RecipientReceiptKey>>();

  const check = (jwk: Record<string, unknown>, purpose: KeyPurpose, chain: CertificateChainCheck) =>
    purpose === 'encryption' ? checkEncryptionJwk(jwk, policy, chain) : checkReceiptJwk(jwk, policy, chain);

  /** Checks a JWK once per purpose and chain rule; a refused one is checked again next time (a clock may cure it). */
  function checkedOnce(
    cache: Map<string, Promise<RecipientEncryptionKey | RecipientReceiptKey>>,
    cacheKey: string,
    jwk: Record<string, unknown>,
    purpose: KeyPurpose,
    chain: CertificateChainCheck,
  ) {
    let checked = cache.get(cacheKey);
    if (!checked) {
      checked = check(jwk, purpose, chain);
      cache.set(cacheKey, checked);
      checked.catch(() => cache.delete(cacheKey));
    }
    return checked;
  }

  function entryFor(url: string, refreshSeconds: number | undefined): Entry {
    const refreshMs = (refreshSeconds ?? 3600) * 1000;
    let entry = remote.get(url);
    if (!entry) {
      entry = { url, refreshMs, checked: new Map() };
      remote.set(url, entry);
    }
    entry.refreshMs = Math.min(entry.refreshMs, refreshMs);
    return entry;
  }

  /** Starts a fetch (one at a time per URL); the promise never rejects: the outcome is on the entry. */
  function startFetch(entry: Entry): Promise<void> {
    entry.inflight ??= (async () => {
      entry.lastAttemptAt = now();
      try {
        const jwks = await fetchJwks(entry.url, { dispatcher: options.dispatcher, timeoutMs: options.timeoutMs });
        entry.jwks = jwks;
        entry.fetchedAt = now();
        entry.checked = new Map();
        delete entry.lastError;
      } catch (error) {
        entry.lastError = error as Error;
        if (entry.jwks) options.onRefreshError?.(entry.url, error as Error);
      } finally {
        delete entry.inflight;
      }
    })();
    return entry.inflight;
  }

  async function jwksOf(entry: Entry): Promise<FetchedJwks> {
    if (entry.jwks) {
      const stale = entry.fetchedAt !== undefined && now() - entry.fetchedAt >= entry.refreshMs;
      const backedOff = entry.lastError !== undefined && now() - (entry.lastAttemptAt ?? 0) < retryAfterFailureMs;
      if (stale && !backedOff) void startFetch(entry);
      return entry.jwks;
    }
    if (entry.inflight) await entry.inflight;
    else if (entry.lastAttemptAt !== undefined && entry.lastError && now() - entry.lastAttemptAt < retryAfterFailureMs)
      throw entry.lastError;
    else await startFetch(entry);
    const loaded = loadedJwks(entry);
    if (!loaded) throw entry.lastError ?? new AmtsboteError('unavailable', `the JWKS at ${entry.url} is not available`);
    return loaded;
  }

  async function remoteKey(
    source: Extract<KeySource, { jwksUrl: string }>,
    purpose: KeyPurpose,
    kid: string | undefined,
  ) {
    const chain = source.certificateChain ?? 'policy';
    const entry = entryFor(source.jwksUrl, source.refreshSeconds);
    let jwks = await jwksOf(entry);
    let jwk: Record<string, unknown>;
    try {
      jwk = selectJwk(jwks.keys, purpose, kid, entry.url);
    } catch (error) {
      // A kid the cached set lacks may be a key the recipient has just added: refetch (rate-limited) once.
      if (kid === undefined || entry.lastAttemptAt === undefined || now() - entry.lastAttemptAt < minRefetchMs)
        throw error;
      await startFetch(entry);
      jwks = await jwksOf(entry);
      jwk = selectJwk(jwks.keys, purpose, kid, entry.url);
    }
    return checkedOnce(entry.checked, `${purpose}:${chain}:${String(jwk.kid)}`, jwk, purpose, chain);
  }

  function inlineKey(jwk: Record<string, unknown>, purpose: KeyPurpose, chain: CertificateChainCheck) {
    return checkedOnce(inline, `${purpose}:${chain}:${JSON.stringify(jwk)}`, jwk, purpose, chain);
  }

  /**
   * A key the destination's service hands out: the provider caches and refreshes the JWKs (and decides which
   * encryption key is current); each distinct JWK is checked here once, like the other sources' keys.
   */
  async function providedKey(source: ProvidedKeySource, purpose: KeyPurpose, kid: string | undefined) {
    if (!options.keyProvider)
      throw new AmtsboteError('unavailable', `keys of kind "${source.provided.kind}" cannot be fetched here`);
    const provider = options.keyProvider(source.provided);
    let jwk: Record<string, unknown>;
    if (purpose === 'encryption') jwk = await provider.encryptionJwk();
    else if (kid === undefined)
      throw recipientKeyError('kid-not-found', `a receipt key from ${provider.origin} is chosen by the receipt's kid`);
    else jwk = await provider.receiptJwk(kid);
    if (kid !== undefined && jwk.kid !== kid)
      throw recipientKeyError('kid-not-found', `${provider.origin} answered for "${kid}" with another key`, kid);
    const chain = source.certificateChain ?? 'policy';
    // Keys rotate rarely; a bound keeps a misbehaving service from growing the cache without end.
    if (provided.size > 256) provided.clear();
    return checkedOnce(provided, `${purpose}:${chain}:${JSON.stringify(jwk)}`, jwk, purpose, chain);
  }

  function resolve(source: KeySource, purpose: KeyPurpose, kid?: string) {
    if (isProvidedSource(source)) return providedKey(source, purpose, kid);
    if (isRemoteSource(source)) {
      if (kid !== undefined && source.kid !== undefined && kid !== source.kid) {
        return Promise.reject(
          recipientKeyError('kid-not-found', `the key "${kid}" is not the configured "${source.kid}"`, kid),
        );
      }
      return remoteKey(source, purpose, kid ?? source.kid);
    }
    if (kid !== undefined && source.jwk.kid !== kid) {
      return Promise.reject(
        recipientKeyError('kid-not-found', `the key "${kid}" is not the configured "${String(source.jwk.kid)}"`, kid),
      );
    }
    return inlineKey(source.jwk, purpose, source.certificateChain ?? 'policy');
  }

  return {
    encryptionKey: (source) => resolve(source, 'encryption') as Promise<RecipientEncryptionKey>,
    receiptKey: (source, kid) => resolve(source, 'receipt', kid) as Promise<RecipientReceiptKey>,
    async checkReceiptSource(source) {
      // A provided receipt key is chosen by each receipt's kid; there is no set to check ahead.
      if (isProvidedSource(source)) return;
      if (!isRemoteSource(source) || source.kid !== undefined) {
        await resolve(source, 'receipt');
        return;
      }
      const jwks = await jwksOf(entryFor(source.jwksUrl, source.refreshSeconds));
      const candidates = purposeCandidates(jwks.keys, 'receipt');
      if (candidates.length === 0)
        throw recipientKeyError('kid-not-found', `the JWKS at ${source.jwksUrl} has no RSA receipt (signature) key`);
      await Promise.all(
        candidates.map((jwk) => remoteKey(source, 'receipt', typeof jwk.kid === 'string' ? jwk.kid : undefined)),
      );
    },
    async refresh(url) {
      const entry = entryFor(url, undefined);
      await startFetch(entry);
      if (entry.lastError) throw entry.lastError;
    },
    status: () =>
      [...remote.values()].map((e) => ({
        url: e.url,
        keys: e.jwks?.keys.length ?? 0,
        ...(e.fetchedAt === undefined ? {} : { fetchedAt: new Date(e.fetchedAt).toISOString() }),
        ...(e.lastError ? { lastError: e.lastError.message } : {}),
      })),
  };
}

/** Read through a function: the fetch that awaits before it changes the entry, which flow analysis cannot see. */
function loadedJwks(entry: Entry): FetchedJwks | undefined {
  return entry.jwks;
}
