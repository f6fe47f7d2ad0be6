import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall, adminTokens, getJson, postJson } from './http.js';

/**
 * A server whose idle close can cross the client's next request: when armed, it closes the connection without an
 * answer as soon as a request arrives on a connection it has answered before — as a server does when its keep-alive
 * timeout runs out just as a client reuses the connection. Otherwise it answers 200 and keeps the connection.
 */
let server: Server | undefined;
let url: string;
const requests: string[] = [];
let closeOnReuse = false;
/** Read through a function: the server's handler clears it, which the compiler cannot see. */
const armed = () => closeOnReuse;
const sockets = new Set<Socket>();
beforeAll(async () => {
  const listening = createServer((socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let answered = 0;
    let buffered = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      // the requests of these tests have a small body of a declared length
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.slice(end + 4 + length);
        requests.push(head.split(' ', 2).join(' '));
        if (closeOnReuse && answered > 0) {
          closeOnReuse = false;
          socket.destroy();
          return;
        }
        answered++;
        socket.write(
          'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: keep-alive\r\n\r\n{"ok":true}',
        );
      }
    });
  });
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

describe('the test HTTP helpers', () => {
  it('send a read once more on a fresh connection when the server closes the reused one', async () => {
    expect((await getJson(url, '/first')).status).toBe(200);
    for (const read of [() => getJson(url, '/status'), () => adminCall(url, 'GET', '/routing', adminTokens.viewer)]) {
      // until one of the reads has gone out on a reused connection, which the server then closed
      requests.length = 0;
      closeOnReuse = true;
      let reads = 0;
      for (; reads < 10 && armed(); reads++) expect((await read()).status).toBe(200);
      expect(armed()).toBe(false);
      // the read the server closed the connection under went out twice: on the reused connection, then on a new one
      expect(requests).toHaveLength(reads + 1);
    }
  });

  it('never repeat a POST: it fails as it failed, and reached the server once', async () => {
    expect((await getJson(url, '/open-a-connection')).status).toBe(200);
    requests.length = 0;
    closeOnReuse = true;
    await expect(postJson(url, '/v1/submissions', { once: true })).rejects.toThrow('fetch failed');
    expect(requests).toEqual(['POST /v1/submissions']);
  });
});
