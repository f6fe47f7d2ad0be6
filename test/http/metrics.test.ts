import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { postJson } from '../helpers/http.js';

const examples = loadExamples();
const valid = examples.find(
  (e) => !e.invalid && e.envelope.regionKey === '146120000000' && e.envelope.serviceKey === '99050012104000',
)!;
const invalidExample = examples.find((e) => e.invalid)!;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

async function scrape(
  url: string,
  headers: Record<string, string> = {},
): Promise<Map<string, PrometheusFamily> & { text: string }> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const text = await res.text();
  // no submission ids, message ids or anything else unbounded among the labels
  expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  return Object.assign(new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f])), { text });
}

const sample = (family: PrometheusFamily | undefined, labels: Record<string, string>) =>
  family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));

describe('/metrics', () => {
  it('is served on its own address, not on the port portals reach', async () => {
    expect(gw.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(gw.metricsUrl).not.toContain(gw.url);
    expect((await fetch(gw.url + '/metrics')).status).toBe(404);
  });

  it("keeps a scraper's idle connection as the portal port does", async () => {
    // not /metrics itself: a scrape would fill the one-second stats cache the next test must find empty
    const scraped = await fetch(gw.metricsUrl!.replace(/\/metrics$/, '/keep-alive-probe'));
    await scraped.text();
    const portal = await fetch(gw.url + '/health/live');
    await portal.text();
    expect(scraped.headers.get('keep-alive')).toMatch(/^timeout=\d+$/);
    expect(scraped.headers.get('keep-alive')).toBe(portal.headers.get('keep-alive'));
  });

  it('counts intake by outcome and problem type, with latency, queues, dead letters, breakers and key expiry', async () => {
    expect((await postJson(gw.url, '/v1/submissions', valid.envelope)).status).toBe(202);
    expect(
      (await postJson(gw.url, '/v1/submissions', { ...valid.envelope, serviceKey: '99999999999999' })).status,
    ).toBe(422);
    expect((await postJson(gw.url, '/v1/submissions', '{"broken":')).status).toBe(400);

    const families = await scrape(gw.metricsUrl!);
    const intake = families.get('amtsbote_intake_requests_total');
    expect(intake?.type).toBe('COUNTER');
    expect(Number(sample(intake, { outcome: 'accepted', problem: 'none' })?.value)).toBeGreaterThanOrEqual(1);
    expect(Number(sample(intake, { outcome: 'rejected', problem: 'unknown-service' })?.value)).toBe(1);
    expect(Number(sample(intake, { outcome: 'rejected', problem: 'invalid-json' })?.value)).toBe(1);

    const latency = families.get('amtsbote_intake_duration_seconds');
    expect(latency?.type).toBe('HISTOGRAM');
    expect(Number(latency?.metrics[0]?.buckets?.['+Inf'])).toBeGreaterThanOrEqual(1);
    // the parser merges a histogram's label sets into one sample, so the per-outcome count is read from the text
    expect(families.text).toMatch(/^amtsbote_intake_duration_seconds_count\{outcome="rejected"\} 2$/m);

    // Dresden's Gewerbeamt is a mailbox: the message waits for pickup
    const depth = families.get('amtsbote_delivery_queue_depth');
    expect(depth?.type).toBe('GAUGE');
    expect(Number(sample(depth, { destination: 'dresden-gewerbeamt' })?.value)).toBeGreaterThanOrEqual(1);
    expect(
      Number(
        sample(families.get('amtsbote_delivery_oldest_pending_age_seconds'), { destination: 'dresden-gewerbeamt' })
          ?.value,
      ),
    ).toBeGreaterThanOrEqual(0);
    expect(Number(sample(families.get('amtsbote_dead_letters'), { destination: 'dresden-gewerbeamt' })?.value)).toBe(0);
    for (const name of [
      'amtsbote_circuit_breaker_state',
      'amtsbote_delivery_attempts_total',
      'amtsbote_delivery_attempt_duration_seconds',
      'amtsbote_destination_key_expiry_timestamp_seconds',
    ]) {
      expect(families.has(name), name).toBe(true);
    }
    for (const name of families.keys()) expect(name).toMatch(/^amtsbote_/);
  });

  it('labels a rejection with the code of the problem the portal got', async () => {
    const answer = await postJson(gw.url, '/v1/submissions', invalidExample.envelope);
    expect(answer.status).toBe(422);
    const code = String(answer.body.type).replace('https://amtsbote.dev/problems/', '');
    const families = await scrape(gw.metricsUrl!);
    expect(
      Number(sample(families.get('amtsbote_intake_requests_total'), { outcome: 'rejected', problem: code })?.value),
    ).toBe(1);
  });
});

describe('/metrics on the main port', () => {
  let config: ConfigCopy;
  let behindToken: TestGateway;
  beforeAll(async () => {
    config = copyConfig();
    writeFileSync(join(config.dir, 'metrics.token'), 'scrape-token-for-tests\n', { mode: 0o600 });
    const gateway = parseDocument(readFileSync(config.configFile, 'utf8'));
    gateway.set('metrics', { token: 'file:metrics.token' });
    writeFileSync(config.configFile, gateway.toString());
    behindToken = await startTestGateway({ configFile: config.configFile, env: { AMTSBOTE_METRICS_PORT: '' } });
  });
  afterAll(async () => {
    await behindToken.stop();
    config.remove();
  });

  it('answers only with the configured token', async () => {
    expect(behindToken.metricsUrl).toBeUndefined();
    const refused = await fetch(behindToken.url + '/metrics');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(
      (await fetch(behindToken.url + '/metrics', { headers: { authorization: 'Bearer wrong-token-of-same-len' } }))
        .status,
    ).toBe(401);
    const families = await scrape(behindToken.url + '/metrics', { authorization: 'Bearer scrape-token-for-tests' });
    expect(families.has('amtsbote_intake_requests_total')).toBe(true);
  });
});
