import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = '/usr/lib/postgresql/15/bin';
/** How long pg_ctl waits for a start or stop: generous, a busy machine makes both slow. */
const ctlWaitSeconds = 120;

/**
 * A PostgreSQL cluster of a test's own, for tests that stop and start the server: the shared server on
 * 5432 is never restarted. initdb and pg_ctl refuse to run as root, so as root they run as the `postgres`
 * user (`runuser`), in a temporary folder that user owns; the server listens on a free loopback port.
 */
export interface PrivatePostgres {
  port: number;
  /** URL of a database on this cluster (trust auth, user postgres). */
  url(database?: string): string;
  start(): void;
  /** `fast` disconnects clients and shuts down cleanly; `immediate` is a crash (recovery on the next start). */
  stop(mode?: 'fast' | 'immediate'): void;
  /** Stops the server if it runs and removes the cluster. */
  remove(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => {
        resolve(port);
      });
    });
  });
}

function run(args: string[]): string {
  const asPostgres =
    process.getuid?.() === 0
      ? (['runuser', ['-u', 'postgres', '--', ...args]] as const)
      : ([args[0]!, args.slice(1)] as const);
  return execFileSync(asPostgres[0], asPostgres[1], {
    encoding: 'utf8',
    timeout: (ctlWaitSeconds + 30) * 1000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = mkdtempSync(join(tmpdir(), 'amtsbote-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, uid, gid);
  }
  const data = join(root, 'data');
  let port = await freePort();
  run([`${bin}/initdb`, '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  const log = join(root, 'server.log');
  const ctl = (...args: string[]) => run([`${bin}/pg_ctl`, '-D', data, '-l', log, ...args]);
  let running = false;
  const cluster: PrivatePostgres = {
    get port() {
      return port;
    },
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: () => {
      ctl(
        '-o',
        `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`,
        '-w',
        '-t',
        String(ctlWaitSeconds),
        'start',
      );
      running = true;
    },
    stop: (mode = 'fast') => {
      ctl('-m', mode, '-w', '-t', String(ctlWaitSeconds), 'stop');
      running = false;
    },
    remove: () => {
      if (running) cluster.stop('immediate');
      rmSync(root, { recursive: true, force: true });
    },
  };
  // The port was free when chosen, not necessarily when the server binds it (another process may take it in
  // between): a taken port gets a fresh one, a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      cluster.start();
      return cluster;
    } catch (error) {
      const taken = existsSync(log) && /could not bind|already in use/i.test(readFileSync(log, 'utf8'));
      if (!taken || attempt >= 3) throw error;
      port = await freePort();
    }
  }
}
