import type { ChannelModel } from 'amqplib';

/**
 * One AMQP connection per broker, shared by every destination that publishes to it: a broker sees one
 * connection per gateway instance instead of one per destination, and a restart costs one reconnect.
 * Each destination keeps a confirm channel of its own on it, since the broker closes a channel on a
 * publishing error (a missing exchange) and that must not take the other destinations down with it.
 */
interface Broker {
  /** The open (or opening) connection; cleared when the broker closes it, so the next use reconnects. */
  current?: Promise<ChannelModel>;
  users: number;
}

const brokers = new Map<string, Broker>();

/** A lease asked for a connection after it was given back (the adapter was closed): no connection is opened. */
export class BrokerLeaseReleased extends Error {
  readonly code = 'amqp-lease-released';
  constructor() {
    super('amqp lease released');
    this.name = 'BrokerLeaseReleased';
  }
}

export interface BrokerLease {
  /** The broker's connection, opened again after it was lost. */
  connection(): Promise<ChannelModel>;
  /** Gives the lease back; the last one closes the connection. */
  release(): Promise<void>;
}

/** `url` is the resolved broker URL (with credentials): it is a key in memory only, never logged. */
export function leaseBroker(url: string, connectTimeoutMs: number): BrokerLease {
  let broker = brokers.get(url);
  if (!broker) {
    broker = { users: 0 };
    brokers.set(url, broker);
  }
  broker.users++;
  const shared = broker;
  let released = false;

  const open = (): Promise<ChannelModel> => {
    // amqplib is imported with the first connection, not with the gateway's start (issue 26).
    const opening = import('amqplib').then(async ({ connect }) => {
      const connection = await connect(url, { timeout: connectTimeoutMs });
      const forget = () => {
        if (shared.current === opening) shared.current = undefined;
      };
      connection.on('close', forget);
      // Without a listener an 'error' event would end the process; 'close' follows it.
      connection.on('error', forget);
      return connection;
    });
    opening.catch(() => {
      if (shared.current === opening) shared.current = undefined;
    });
    return opening;
  };

  return {
    connection() {
      if (released) return Promise.reject(new BrokerLeaseReleased());
      shared.current ??= open();
      return shared.current;
    },
    async release() {
      if (released) return;
      released = true;
      shared.users--;
      if (shared.users > 0) return;
      brokers.delete(url);
      const current = shared.current;
      shared.current = undefined;
      const connection = await current?.catch(() => undefined);
      if (connection) await closeWithin(connection, connectTimeoutMs);
    },
  };
}

/**
 * Closes a channel or connection, but waits no longer than `ms`: on a socket that died without the broker
 * saying so, amqplib's close handshake would wait forever and hold up the gateway's shutdown.
 */
export async function closeWithin(closable: { close(): Promise<void> }, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    closable.close().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** How many brokers have a connection open or opening (for tests and the health view). */
export function openBrokerConnections(): number {
  return [...brokers.values()].filter((b) => b.current !== undefined).length;
}
