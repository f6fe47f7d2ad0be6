import { UnavailableError } from '../../lib/errors.js';
import { readSecret } from '../../lib/secret-ref.js';
import { guardedAgent } from '../guarded-agent.js';
import type { AdapterContext } from '../types.js';
import { type Api, isOutcome, submissionApi } from './client.js';
import type { FitConnectAdapterConfig } from './config.js';
import { type DestinationInfo, parseDestinationInfo } from './destination-info.js';
import type { FitConnectReason } from './reasons.js';
import { attemptErrorReason } from './reasons.js';
import { tokenSource } from './token.js';

/** A failed fetch is not repeated sooner than this, so a down delivery service is not asked on every request. */
const retryAfterFailureMs = 10_000;

/** Why the destination's info (or a key of it) cannot be had now; `reason` is the typed code for logs and health. */
export class DestinationUnavailable extends UnavailableError {
  readonly reason: FitConnectReason;
  /** The HTTP status the delivery service (or its token endpoint) answered with, when it answered. */
  readonly httpStatus: number | undefined;
  constructor(destinationId: string, failure: { reason: FitConnectReason; httpStatus?: number | undefined }) {
    super(`the FIT-Connect destination ${destinationId} cannot be read now (${failure.reason})`);
    this.reason = failure.reason;
    this.httpStatus = failure.httpStatus;
  }
}

export interface DestinationDirectoryStatus {
  destinationId: string;
  fetchedAt?: string;
  /** The typed reason of the last failed fetch, while it is the newest outcome. */
  lastError?: string;
}

/**
 * One FIT-Connect destination as its sender client sees it: the Submission API with the client's token, and
 * the destination's info (`GET /destinations/{id}`: status, `encryptionKid`, offered services and schemas,
 * metadata versions) cached. Once cached, a caller never waits for a refresh: a stale info is refreshed in the
 * background and a failed refresh keeps the cached one, so the delivery service's hiccup never stops intake.
 */
export interface DestinationDirectory {
  readonly destinationId: string;
  readonly api: Api;
  /** The cached info; fetched (and waited for) only when none is cached yet. */
  info(): Promise<DestinationInfo>;
  /** Fetches now (a `kid` the cache lacks, an operator's check) and waits; one fetch at a time. */
  refresh(): Promise<DestinationInfo>;
  status(): DestinationDirectoryStatus;
}

/** The directories of one gateway, one per destination and sender client, shared by sealing and delivery. */
export interface FitConnectDirectories {
  directoryFor(config: FitConnectAdapterConfig): DestinationDirectory;
  statuses(): DestinationDirectoryStatus[];
  /** Releases every directory's connections. */
  close(): Promise<void>;
}

export function fitConnectDirectories(
  context: Pick<AdapterContext, 'outbound' | 'configDir' | 'now'>,
): FitConnectDirectories {
  const directories = new Map<string, { directory: DestinationDirectory; close: () => Promise<void> }>();
  return {
    directoryFor(config) {
      // Everything that changes what the service answers or who asks: a changed client or URL is another directory.
      const key = JSON.stringify([
        config.tokenUrl,
        config.submissionApiUrl,
        config.apiVersion,
        config.clientId,
        config.clientSecret,
        config.destinationId,
      ]);
      let found = directories.get(key);
      if (!found) {
        found = createDestinationDirectory(config, context);
        directories.set(key, found);
      }
      return found.directory;
    },
    statuses: () => [...directories.values()].map((d) => d.directory.status()),
    async close() {
      await Promise.all([...directories.values()].map((d) => d.close()));
      directories.clear();
    },
  };
}

function createDestinationDirectory(
  config: FitConnectAdapterConfig,
  context: Pick<AdapterContext, 'outbound' | 'configDir' | 'now'>,
): { directory: DestinationDirectory; close: () => Promise<void> } {
  const dispatcher = guardedAgent(context.outbound, {
    connectTimeoutMs: Math.min(config.timeoutMs, 10_000),
    headersTimeoutMs: config.timeoutMs,
    bodyTimeoutMs: config.timeoutMs,
  });
  const tokens = tokenSource({
    tokenUrl: config.tokenUrl,
    clientId: config.clientId,
    secret: () => readSecret(config.clientSecret, context.configDir),
    dispatcher,
    now: context.now,
  });
  const api = submissionApi(config, tokens, dispatcher);
  const { destinationId } = config;
  const refreshMs = config.destinationRefreshSeconds * 1000;
  let cached: { info: DestinationInfo; fetchedAt: number } | undefined;
  let lastError: { reason: FitConnectReason; httpStatus?: number | undefined; at: number } | undefined;
  let inflight: Promise<DestinationInfo> | undefined;

  async function fetchInfo(): Promise<DestinationInfo> {
    const signal = AbortSignal.timeout(config.timeoutMs);
    let failure: { reason: FitConnectReason; httpStatus?: number | undefined };
    try {
      const answer = await api('GET', `/destinations/${destinationId}`, signal);
      if (isOutcome(answer)) {
        failure =
          answer.kind === 'retry' || answer.kind === 'failed'
            ? { reason: answer.reason, httpStatus: answer.httpStatus }
            : { reason: 'fitconnect-destination-unreadable' };
      } else if (answer.status !== 200) {
        failure = { reason: `fitconnect-destination-http-${answer.status}`, httpStatus: answer.status };
      } else {
        const info = parseDestinationInfo(answer.text);
        if (info) {
          cached = { info, fetchedAt: context.now().getTime() };
          lastError = undefined;
          return info;
        }
        failure = { reason: 'fitconnect-destination-unreadable', httpStatus: answer.status };
      }
    } catch (error) {
      failure = { reason: attemptErrorReason(error) };
    }
    lastError = { ...failure, at: context.now().getTime() };
    throw new DestinationUnavailable(destinationId, failure);
  }

  function startFetch(): Promise<DestinationInfo> {
    inflight ??= fetchInfo().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  const directory: DestinationDirectory = {
    destinationId,
    api,
    async info() {
      const now = context.now().getTime();
      if (cached) {
        const stale = now - cached.fetchedAt >= refreshMs;
        const backedOff = lastError !== undefined && now - lastError.at < retryAfterFailureMs;
        if (stale && !backedOff) startFetch().catch(() => undefined);
        return cached.info;
      }
      if (!inflight && lastError && now - lastError.at < retryAfterFailureMs)
        throw new DestinationUnavailable(destinationId, lastError);
      return startFetch();
    },
    refresh: startFetch,
    status: () => ({
      destinationId,
      ...(cached ? { fetchedAt: new Date(cached.fetchedAt).toISOString() } : {}),
      ...(lastError ? { lastError: lastError.reason } : {}),
    }),
  };
  return { directory, close: () => dispatcher.destroy() };
}
