import pg from 'pg';
import {
  changeTopics,
  channelOf,
  type ChangeListener,
  type ChangeListenerOptions,
  type ChangeTopic,
} from './change-topics.js';

const topicOfChannel = new Map<string, ChangeTopic>(changeTopics.map((t) => [channelOf(t), t]));

/**
 * LISTENs for the other instances' notices on a connection of its own: a pooled connection goes back to the
 * pool after each query, and its LISTEN with it. A connection that fails or breaks (a server restart) is
 * opened again after `retryMs`, as long as the listener runs; meanwhile the instance learns of changes by
 * polling, as it always also does.
 */
export function listenForChanges(url: string, options: ChangeListenerOptions): ChangeListener {
  const retryMs = options.retryMs ?? 2000;
  let running = true;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const lost = (current: pg.Client, error: Error) => {
    if (client !== current) return; // already handled (an error is often followed by `end`)
    client = undefined;
    current.removeAllListeners('notification');
    current.end().catch(() => undefined);
    if (!running) return;
    options.onLost?.(error);
    retry = setTimeout(connect, retryMs);
    // a listener waiting to reconnect is no reason to keep the process alive
    retry.unref();
  };

  function connect(): void {
    retry = undefined;
    if (!running) return;
    const current = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    client = current;
    current.on('error', (error) => {
      lost(current, error);
    });
    current.on('end', () => {
      lost(current, new Error('the listening connection ended'));
    });
    current.on('notification', (message) => {
      const topic = topicOfChannel.get(message.channel);
      if (topic) options.onChange(topic);
    });
    current
      .connect()
      .then(() => current.query(changeTopics.map((t) => `LISTEN ${channelOf(t)};`).join(' ')))
      .then(() => {
        if (client !== current || !running) return;
        options.onListening?.();
        for (const topic of changeTopics) options.onChange(topic);
      })
      .catch((error: unknown) => {
        lost(current, error instanceof Error ? error : new Error(String(error)));
      });
  }
  connect();

  return {
    async stop() {
      running = false;
      if (retry) clearTimeout(retry);
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners('notification');
        await current.end().catch(() => undefined);
      }
    },
  };
}
