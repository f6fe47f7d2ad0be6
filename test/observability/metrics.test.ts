import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.js';

const now = new Date('2026-11-25T10:00:00.000Z');

async function families(metrics: ReturnType<typeof createMetrics>) {
  return new Map(parsePrometheusTextFormat(await metrics.registry.metrics()).map((f) => [f.name, f]));
}

describe('createMetrics', () => {
  it('reads queue depth, oldest pending age and dead letters from one store query per scrape', async () => {
    const metrics = createMetrics(() => now);
    let queries = 0;
    metrics.watchQueues(() => {
      queries++;
      return Promise.resolve([
        {
          destinationId: 'leipzig-gewerbeamt',
          waiting: 3,
          oldestWaitingSince: '2026-11-25T09:58:30.000Z',
          deadLetters: 2,
        },
        { destinationId: 'dresden-gewerbeamt', waiting: 0, deadLetters: 1 },
      ]);
    });
    const scraped = await families(metrics);
    expect(queries).toBe(1);
    expect(scraped.get('amtsbote_delivery_queue_depth')?.metrics).toEqual([
      { labels: { destination: 'leipzig-gewerbeamt' }, value: '3' },
      { labels: { destination: 'dresden-gewerbeamt' }, value: '0' },
    ]);
    expect(scraped.get('amtsbote_delivery_oldest_pending_age_seconds')?.metrics).toEqual([
      { labels: { destination: 'leipzig-gewerbeamt' }, value: '90' },
      { labels: { destination: 'dresden-gewerbeamt' }, value: '0' },
    ]);
    expect(scraped.get('amtsbote_dead_letters')?.metrics[1]).toEqual({
      labels: { destination: 'dresden-gewerbeamt' },
      value: '1',
    });
  });

  it("shows the intake pool's admitted tasks and its bound, and 0 for both without a pool", async () => {
    const metrics = createMetrics(() => now);
    const value = async (name: string) => (await families(metrics)).get(name)?.metrics[0]?.value;
    expect(await value('amtsbote_intake_pool_tasks')).toBe('0');
    let load: { tasks: number; capacity: number } | undefined = { tasks: 5, capacity: 68 };
    metrics.watchIntakePool(() => load);
    expect(await value('amtsbote_intake_pool_tasks')).toBe('5');
    expect(await value('amtsbote_intake_pool_capacity')).toBe('68');
    load = undefined;
    expect(await value('amtsbote_intake_pool_capacity')).toBe('0');
  });

  it('exposes key expiry as a Unix timestamp and breaker states as numbers', async () => {
    const metrics = createMetrics(() => now);
    metrics.watchKeyExpiry(() =>
      Promise.resolve([
        { destination: 'leipzig-gewerbeamt', purpose: 'encryption', notAfter: '2027-01-01T00:00:00.000Z' },
      ]),
    );
    metrics.watchBreakers(() => ({ 'leipzig-gewerbeamt': 'open', 'dresden-gewerbeamt': 'closed' }));
    const scraped = await families(metrics);
    expect(scraped.get('amtsbote_destination_key_expiry_timestamp_seconds')?.metrics).toEqual([
      {
        labels: { destination: 'leipzig-gewerbeamt', purpose: 'encryption' },
        value: String(Date.parse('2027-01-01T00:00:00Z') / 1000),
      },
    ]);
    expect(scraped.get('amtsbote_circuit_breaker_state')?.metrics).toEqual([
      { labels: { destination: 'leipzig-gewerbeamt' }, value: '2' },
      { labels: { destination: 'dresden-gewerbeamt' }, value: '0' },
    ]);
  });

  it('counts replies by kind and outcome, refusals by reason, and reads undelivered replies by kind per scrape', async () => {
    const metrics = createMetrics(() => now);
    metrics.recordReply('notice', 'received');
    metrics.recordReply('notice', 'received');
    metrics.recordReply('notice', 'fetched');
    metrics.recordReply('request', 'rejected');
    metrics.recordReplyRefused('hash-mismatch');
    let reads = 0;
    metrics.watchUndeliveredReplies(() => {
      reads++;
      return Promise.resolve({ notice: 4, information: 1 });
    });
    const scraped = await families(metrics);
    expect(reads).toBe(1);
    expect(scraped.get('amtsbote_replies_total')?.metrics).toEqual([
      { labels: { kind: 'notice', outcome: 'received' }, value: '2' },
      { labels: { kind: 'notice', outcome: 'fetched' }, value: '1' },
      { labels: { kind: 'request', outcome: 'rejected' }, value: '1' },
    ]);
    expect(scraped.get('amtsbote_replies_refused_total')?.metrics).toEqual([
      { labels: { reason: 'hash-mismatch' }, value: '1' },
    ]);
    expect(scraped.get('amtsbote_replies_undelivered')?.metrics).toEqual([
      { labels: { kind: 'notice' }, value: '4' },
      { labels: { kind: 'information' }, value: '1' },
    ]);
  });
});
