import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { Request, Response } from 'express';
import { AmtsboteError, isAmtsboteError } from '../lib/errors.js';
import type { BodyBudget } from './body-budget.js';

export interface BodyLimits {
  maxBodyBytes: number;
  /** How long the body may stop arriving before the request is answered 408 and its connection closed. */
  bodyIdleMs: number;
}

/** A body without Content-Length (chunked) reserves budget in steps of this size as it arrives. */
const chunkedStep = 1024 * 1024;

/**
 * The request body as a stream that the body parsers read instead of `req`. It holds the body's share of
 * the memory budget until the answer is sent, stops at `maxBodyBytes` whether or not Content-Length was
 * declared (413 at once, not after reading 100 MB of a chunked upload), answers 408 when the body stops
 * arriving, and turns every error of the socket into a problem: nothing thrown here ends the process.
 * Any failure closes the connection after the answer, because the rest of the body is not read.
 */
export async function boundedBody(
  req: Request,
  res: Response,
  budget: BodyBudget,
  limits: BodyLimits,
): Promise<Readable> {
  const declared = req.get('content-length') === undefined ? undefined : Number(req.get('content-length'));
  let reserved = 0;
  // An object, not a `let`: the close handler changes it while this function awaits.
  const response = { closed: false };
  res.once('close', () => {
    response.closed = true;
    budget.release(reserved);
    reserved = 0;
  });
  if (declared !== undefined && declared > 0) {
    await budget.reserve(declared);
    reserved = declared;
    // The client gave up while the request waited: nothing will release the reservation later.
    if (response.closed) {
      budget.release(reserved);
      reserved = 0;
    }
  }

  let received = 0;
  let idle: NodeJS.Timeout | undefined;
  const gate = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      received += chunk.length;
      if (received > limits.maxBodyBytes) {
        done(new AmtsboteError('payload-too-large', `The body exceeds ${limits.maxBodyBytes} bytes.`));
        return;
      }
      if (received <= reserved || response.closed) {
        armIdleTimer();
        done(null, chunk);
        return;
      }
      // A chunked body grows its reservation; while it waits its socket is not read (TCP backpressure).
      const step = Math.max(chunkedStep, received - reserved);
      clearTimeout(idle);
      budget.reserve(step).then(
        () => {
          if (response.closed) budget.release(step);
          else reserved += step;
          armIdleTimer();
          done(null, chunk);
        },
        (error: unknown) => {
          done(error as Error);
        },
      );
    },
    flush(done: TransformCallback) {
      clearTimeout(idle);
      done();
    },
  });
  const armIdleTimer = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      // After the event loop was busy (a large submission parsed or sealed), timers run before pending
      // socket reads: look once more after those reads before calling the body stalled.
      const seen = received;
      setImmediate(() => {
        if (received !== seen) armIdleTimer();
        else
          gate.destroy(
            new AmtsboteError(
              'request-timeout',
              `No part of the body arrived for ${Math.round(limits.bodyIdleMs / 1000)} s; the request was given up.`,
            ),
          );
      });
    }, limits.bodyIdleMs);
  };
  const stopReading = (error: unknown) => {
    clearTimeout(idle);
    req.unpipe(gate);
    refuseRestOfBody(req, res, error, limits.maxBodyBytes);
  };
  gate.on('error', stopReading);
  gate.once('close', () => {
    clearTimeout(idle);
  });
  // A socket error or a client that went away ends the body; the stream reports it instead of throwing.
  req.once('error', () => {
    gate.destroy(
      new AmtsboteError('invalid-envelope', 'The body could not be read to its end.', [
        { pointer: '', detail: 'the connection failed while the body was sent' },
      ]),
    );
  });
  req.once('aborted', () => {
    gate.destroy(
      new AmtsboteError('invalid-envelope', 'The body could not be read to its end.', [
        { pointer: '', detail: 'the client aborted the body' },
      ]),
    );
  });
  armIdleTimer();
  req.pipe(gate);
  return gate;
}

/**
 * What happens to the unread rest of a refused body. Over the memory budget (503), the rest is read and
 * discarded — it costs bandwidth, not memory — so that the client, still sending, reads a clean 503 with
 * Retry-After instead of a broken pipe (the server closing a socket the client still writes to resets it,
 * and most clients then report the failed write, not the answer), and may retry on the same connection.
 * The discarding is bounded: a body that goes on past `maxBodyBytes` (chunked, so no length was declared)
 * loses its connection there. Anything else (too large, stalled, malformed) is not worth reading: the
 * connection closes after the answer.
 */
export function refuseRestOfBody(req: Request, res: Response, error: unknown, maxBodyBytes: number): void {
  if (req.complete || res.headersSent) return;
  if (isAmtsboteError(error) && error.code === 'unavailable') {
    discardRest(req, maxBodyBytes);
    return;
  }
  res.setHeader('Connection', 'close');
}

function discardRest(req: Request, maxBodyBytes: number): void {
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > maxBodyBytes) req.socket.destroy();
  });
  req.resume();
}

/**
 * Reads a bounded body to its end (at most `maxBodyBytes`, enforced by the stream). With a declared length
 * the chunks are copied straight into one buffer of that size, so a 23 MB body exists once, not twice.
 */
export async function readWholeBody(body: Readable, declaredLength?: number): Promise<Buffer> {
  if (declaredLength !== undefined && declaredLength > 0) {
    const whole = Buffer.allocUnsafe(declaredLength);
    let at = 0;
    for await (const chunk of body) {
      const bytes = chunk as Buffer;
      // Node's parser ends a body at Content-Length; should more ever arrive, the limit still holds.
      if (at + bytes.length > whole.length)
        throw new AmtsboteError('invalid-json', 'The body is longer than its Content-Length.', [
          { pointer: '', detail: 'longer than Content-Length' },
        ]);
      bytes.copy(whole, at);
      at += bytes.length;
    }
    return whole.subarray(0, at);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}
