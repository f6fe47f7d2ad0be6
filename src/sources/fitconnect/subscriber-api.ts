import type { Dispatcher } from 'undici';
import { type Api, isOutcome, submissionApi } from '../../adapters/fitconnect/client.js';
import { tokenSource } from '../../adapters/fitconnect/token.js';
import { guardedAgent, type OutboundPolicy } from '../../adapters/guarded-agent.js';
import { retryAfterMs } from '../../adapters/signed-post.js';
import type { FitConnectSubscriberConfig } from '../../config/fitconnect-subscribers-schema.js';
import { readSecret } from '../../lib/secret-ref.js';

/** FIT-Connect pages lists and event logs by at most 500 entries. */
const pageSize = 500;
/** At most this many pages of one list or log are read at once (500 000 entries): a bound, never reached. */
const maxPages = 1000;

/**
 * Why a call to the delivery service did not give a usable answer: a transient failure (5xx, 429, timeout, network,
 * no token) is retried at the next pick-up with back-off; `afterMs` is the service's Retry-After.
 */
export class DeliveryServiceUnavailable extends Error {
  constructor(
    readonly reason: string,
    readonly afterMs?: number,
  ) {
    super(`FIT-Connect delivery service unavailable: ${reason}`);
    this.name = 'DeliveryServiceUnavailable';
  }
}

export interface ListedSubmission {
  destinationId: string;
  submissionId: string;
  caseId: string;
}

export interface SubmissionDocument {
  destinationId: string;
  submissionId: string;
  caseId: string;
  encryptedMetadata?: string;
  encryptedData?: string;
  attachments?: string[];
}

/** The subscriber's calls to the Submission API (§1.2); each answers or throws DeliveryServiceUnavailable. */
export interface SubscriberApi {
  listSubmissions(destinationId: string, signal: AbortSignal): Promise<ListedSubmission[]>;
  getSubmission(submissionId: string, signal: AbortSignal): Promise<SubmissionDocument | undefined>;
  getAttachment(submissionId: string, attachmentId: string, signal: AbortSignal): Promise<string | undefined>;
  readEventLog(caseId: string, signal: AbortSignal): Promise<string[]>;
  postEvent(caseId: string, set: string, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/**
 * One subscriber client: the sender side's OAuth token source and Submission API caller (adapters/fitconnect/),
 * over an undici agent that obeys the gateway's outbound policy.
 */
export function subscriberApi(
  client: FitConnectSubscriberConfig,
  deps: { configDir: string; outbound: OutboundPolicy; now: () => Date },
): SubscriberApi {
  const dispatcher: Dispatcher = guardedAgent(deps.outbound, {
    connectTimeoutMs: client.timeoutMs,
    headersTimeoutMs: client.timeoutMs,
    bodyTimeoutMs: client.timeoutMs,
  });
  const tokens = tokenSource({
    tokenUrl: client.tokenUrl,
    clientId: client.clientId,
    secret: () => readSecret(client.clientSecret, deps.configDir),
    dispatcher,
    now: deps.now,
  });
  const api = submissionApi(client, tokens, dispatcher);
  const call = (method: 'GET' | 'POST', path: string, signal: AbortSignal, body?: { jose: string }) =>
    answered(api, method, path, signal, deps.now, body);
  return {
    async listSubmissions(destinationId, signal) {
      const found: ListedSubmission[] = [];
      for (let page = 0; page < maxPages; page++) {
        const query = `destinationId=${encodeURIComponent(destinationId)}&offset=${page * pageSize}&limit=${pageSize}`;
        const response = await call('GET', `/submissions?${query}`, signal);
        const body = json(response.text) as { submissions?: unknown; totalCount?: unknown };
        const listed = Array.isArray(body.submissions) ? (body.submissions as Partial<ListedSubmission>[]) : [];
        for (const s of listed)
          if (typeof s.submissionId === 'string' && typeof s.caseId === 'string')
            found.push({
              destinationId: s.destinationId ?? destinationId,
              submissionId: s.submissionId,
              caseId: s.caseId,
            });
        const total = typeof body.totalCount === 'number' ? body.totalCount : 0;
        if (listed.length < pageSize || (page + 1) * pageSize >= total) break;
      }
      return found;
    },
    async getSubmission(submissionId, signal) {
      const response = await call('GET', `/submissions/${encodeURIComponent(submissionId)}`, signal);
      if (response.status === 404) return undefined;
      return json(response.text) as SubmissionDocument;
    },
    async getAttachment(submissionId, attachmentId, signal) {
      const path = `/submissions/${encodeURIComponent(submissionId)}/attachments/${encodeURIComponent(attachmentId)}`;
      const response = await call('GET', path, signal);
      return response.status === 404 ? undefined : response.text.trim();
    },
    async readEventLog(caseId, signal) {
      const log: string[] = [];
      for (let page = 0; page < maxPages; page++) {
        const path = `/cases/${encodeURIComponent(caseId)}/events?offset=${page * pageSize}&limit=${pageSize}`;
        const response = await call('GET', path, signal);
        if (response.status === 404) return log;
        const entries = (json(response.text) as { eventLog?: unknown }).eventLog;
        if (!Array.isArray(entries)) throw new DeliveryServiceUnavailable('fitconnect-events-unreadable');
        for (const entry of entries) if (typeof entry === 'string') log.push(entry);
        if (entries.length < pageSize) break;
      }
      return log;
    },
    async postEvent(caseId, set, signal) {
      const response = await call('POST', `/cases/${encodeURIComponent(caseId)}/events`, signal, { jose: set });
      if (response.status !== 204 && response.status !== 200 && response.status !== 201)
        throw new DeliveryServiceUnavailable(`fitconnect-post-event-http-${response.status}`);
    },
    close: () => dispatcher.close(),
  };
}

/**
 * One call; 2xx and 404 are answers, everything else (no token, 401/403 — an operator's fix —, 408, 429, 5xx,
 * other 4xx, network errors) is a DeliveryServiceUnavailable, retried later.
 */
async function answered(
  api: Api,
  method: 'GET' | 'POST',
  path: string,
  signal: AbortSignal,
  now: () => Date,
  body?: { jose: string },
): Promise<{ status: number; text: string }> {
  let response: Awaited<ReturnType<Api>>;
  try {
    response = await api(method, path, signal, body);
  } catch (error) {
    throw new DeliveryServiceUnavailable(`fitconnect-network-${(error as Error).name}`);
  }
  if (isOutcome(response))
    throw new DeliveryServiceUnavailable(
      response.kind === 'retry' || response.kind === 'failed' ? response.reason : 'fitconnect-token',
    );
  if ((response.status >= 200 && response.status < 300) || response.status === 404) return response;
  throw new DeliveryServiceUnavailable(
    `fitconnect-http-${response.status}`,
    retryAfterMs(response.headers['retry-after'], now()),
  );
}

function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DeliveryServiceUnavailable('fitconnect-unreadable-answer');
  }
}
