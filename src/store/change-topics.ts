/**
 * What one instance tells the others at once (PostgreSQL's NOTIFY, store/postgres-listener.ts): a new routing
 * version, deliveries that are due now, a change of the gateway keys' states. A notice carries no data, only
 * the topic: the receiver reads the store as its poll would, only sooner. SQLite has one instance and no notices.
 */
export const changeTopics = ['routing', 'deliveries', 'keys'] as const;
export type ChangeTopic = (typeof changeTopics)[number];

/** The PostgreSQL channel of a topic. */
export const channelOf = (topic: ChangeTopic): string => `amtsbote_${topic}`;

/** A listener for the other instances' notices; `stop()` ends its connection, so it never keeps a process alive. */
export interface ChangeListener {
  stop(): Promise<void>;
}

export interface ChangeListenerOptions {
  onChange(topic: ChangeTopic): void;
  /**
   * The listener is (again) listening. Notices sent while it was not are lost, so it also reports every topic
   * as changed then: the receivers read the store once, and nothing waits for the next poll.
   */
  onListening?: () => void;
  /** The connection failed or broke; it is opened again after `retryMs`. Polling covers the gap. */
  onLost?: (error: Error) => void;
  retryMs?: number;
}
