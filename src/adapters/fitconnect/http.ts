import type { IncomingHttpHeaders } from 'node:http';
import { type Dispatcher, request } from 'undici';
import { retryAfterMs } from '../signed-post.js';
import { type Outcome, failed, retry } from '../types.js';
import type { AttemptErrorReason, FitConnectReason, FitConnectStep } from './reasons.js';

/** How much of an answer is read: FIT-Connect's answers are small JSON documents or event-log pages. */
const maxResponseBytes = 4 * 1024 * 1024;

export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** An answer longer than FIT-Connect's answers ever are: read no further, and retry. */
export class AnswerTooLarge extends Error {
  readonly code = 'fitconnect-answer-too-large' satisfies AttemptErrorReason;
  constructor() {
    super('response too large');
    this.name = 'AnswerTooLarge';
  }
}

/**
 * One request, the answer read (size-limited) as text. Network errors and an oversized answer throw (the
 * caller makes them retries, attemptErrorReason in reasons.ts names them).
 */
export async function send(
  url: string,
  init: {
    method: 'GET' | 'POST' | 'PUT';
    headers: Record<string, string>;
    body?: string | undefined;
    dispatcher: Dispatcher;
    signal: AbortSignal;
  },
): Promise<ApiResponse> {
  const response = await request(url, {
    method: init.method,
    headers: { 'user-agent': 'Amtsbote', ...init.headers },
    body: init.body,
    dispatcher: init.dispatcher,
    signal: init.signal,
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > maxResponseBytes) {
      response.body.destroy();
      throw new AnswerTooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return { status: response.statusCode, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') };
}

/** The `type` of a problem+json answer, if it is one. */
export function problemType(response: ApiResponse): string | undefined {
  try {
    const type = (JSON.parse(response.text) as { type?: unknown }).type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What an unexpected answer of the delivery service means for the delivery: 408, 429 and 5xx are retried
 * (honouring Retry-After); 401 and 403 too (credentials and the client's authorisation are an operator's
 * fix, and the message must survive it); a destination that is not active may become active again; any
 * other 4xx means the service will never take this request.
 */
export function outcomeOf(step: FitConnectStep, response: ApiResponse, now: Date): Outcome<FitConnectReason> {
  const status = response.status;
  if (status === 408 || status === 429 || status >= 500) {
    const afterMs = retryAfterMs(response.headers['retry-after'], now);
    return retry(`fitconnect-${step}-http-${status}` as const, {
      httpStatus: status,
      ...(afterMs === undefined ? {} : { afterMs }),
    });
  }
  if (problemType(response)?.endsWith('/destination-state-invalid'))
    return retry('fitconnect-destination-inactive', { httpStatus: status });
  if (status === 401 || status === 403)
    return retry(`fitconnect-${step}-http-${status}` as const, { httpStatus: status });
  return failed(`fitconnect-${step}-http-${status}` as const, status);
}
