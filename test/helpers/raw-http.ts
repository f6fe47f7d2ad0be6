import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  /** 0 when the server closed the connection without an answer. */
  status: number;
  head: string;
  body: string;
  /** Bytes of the request body this client had written when the answer (or the close) arrived. */
  bytesWritten: number;
  /** Whether the server ended the exchange (answer, close or reset) rather than this client's timeout. */
  endedByServer: boolean;
}

export interface RawRequest {
  path: string;
  headers: Record<string, string>;
  /** Written at once after the head. */
  body?: string | Buffer | undefined;
  /** Called again and again (bounded by `maxChunks`) while no answer has arrived: a chunked body that keeps coming. */
  nextChunk?: (() => Buffer) | undefined;
  maxChunks?: number;
  /** Resolves with status 0 if nothing arrives within this many ms (the socket is then destroyed). */
  timeoutMs?: number;
}

/**
 * One HTTP/1.1 request over a plain socket, for what fetch cannot send: bodies that are truncated, never
 * finished, or longer than they say. Reads until the server closes the connection (the request says
 * `Connection: close`) or the timeout.
 */
export function rawRequest(baseUrl: string, request: RawRequest): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(url.port), url.hostname);
    let received = Buffer.alloc(0);
    let bytesWritten = 0;
    let answered = false;
    let done = false;
    const finish = (byServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const head = end >= 0 ? text.slice(0, end) : text;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      resolve({
        status: status ? Number(status) : 0,
        head,
        body: end >= 0 ? Buffer.from(text.slice(end + 4), 'latin1').toString('utf8') : '',
        bytesWritten,
        endedByServer: byServer,
      });
    };
    const timer = setTimeout(() => {
      finish(false);
    }, request.timeoutMs ?? 30_000);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      answered = true;
    });
    socket.on('error', () => {
      finish(true);
    });
    socket.on('close', () => {
      finish(true);
    });
    socket.on('connect', () => {
      const head =
        [
          `POST ${request.path} HTTP/1.1`,
          `Host: ${url.host}`,
          'Connection: close',
          ...Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`),
        ].join('\r\n') + '\r\n\r\n';
      socket.write(head);
      if (request.body !== undefined) {
        const body = Buffer.from(request.body);
        bytesWritten += body.length;
        socket.write(body);
      }
      const next = request.nextChunk;
      if (!next) return;
      let chunks = 0;
      const pump = () => {
        // Writes while the socket takes them; stops at the first byte of an answer or at the bound.
        while (!answered && !done && chunks < (request.maxChunks ?? 1000)) {
          const chunk = next();
          chunks++;
          bytesWritten += chunk.length;
          const more = socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n');
          if (!more) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
}
