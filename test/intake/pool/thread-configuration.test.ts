import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import type { ConfigurationSet } from '../../../src/intake/configuration-set.js';
import { compileDataValidators } from '../../../src/intake/data-validator.js';
import type { Envelope } from '../../../src/intake/envelope-schema.js';
import { threadConfiguration } from '../../../src/intake/pool/thread-configuration.js';
import { validateSubmission } from '../../../src/intake/pool/validate-task.js';
import { messageFor } from '../../../src/intake/produce-messages.js';
import { din91379Keyword, loadXoev } from '../../../src/xoev/index.js';
import { loadExamples } from '../../helpers/examples.js';
import { projectRoot } from '../../helpers/paths.js';

// Issue 26: a pool thread compiles a service's validator and a standard's schema set on the first task that needs
// them, not the whole configuration up front — and answers exactly as the whole set does.
const dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-thread-configuration-'));
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});
const config = loadConfig({
  configFile: join(projectRoot, 'config/gateway.yaml'),
  env: { AMTSBOTE_DATA_DIR: dataDir },
});
const whole: ConfigurationSet = {
  config,
  validators: compileDataValidators(config.services, [din91379Keyword]),
  xoev: loadXoev(config.paths),
};
const gewerbeanmeldung = '99050012104000';
const examples = loadExamples().filter((e) => e.envelope.serviceKey === gewerbeanmeldung);
const gewerbeamt: Record<string, string> = { '14612': 'dresden', '14713': 'leipzig', '14511': 'chemnitz' };
/** The destination the routing sends a Gewerbeanmeldung of the region to (the demo's Gewerbeamt of its city). */
const gewerbeamtOf = (regionKey: string) =>
  config.routing.destinations.find((d) => d.id === `${gewerbeamt[regionKey.slice(0, 5)]}-gewerbeamt`)!;
const chemnitz = gewerbeamtOf('145110000000');
const now = new Date('2026-12-07T12:00:00Z');

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
const validateInput = (envelope: Envelope) => ({
  serviceKey: envelope.serviceKey,
  data: envelope.data,
  attachments: envelope.attachments,
  payment: envelope.payment,
  sizes: new Map<string, number>(),
  now,
});

describe("a pool thread's configuration", () => {
  it('compiles nothing before a task, then only the service and the schema set a task needs', () => {
    const thread = threadConfiguration(config);
    expect(thread.compiled()).toEqual({ services: [], schemaSets: [] });
    thread.forValidate(gewerbeanmeldung);
    expect(thread.compiled()).toEqual({ services: [gewerbeanmeldung], schemaSets: [] });
    // A message in JSON has no schema set; one in XGewerbeanzeige 2.2 compiles that set, once.
    thread.forProduce([{ name: 'json', version: '1' }]);
    thread.forProduce([chemnitz.standard, chemnitz.standard]);
    expect(thread.compiled()).toEqual({ services: [gewerbeanmeldung], schemaSets: ['xgewerbeanzeige/2.2'] });
    expect(config.services.size).toBeGreaterThan(1);
    expect(whole.xoev.schemaSets.size).toBeGreaterThan(1);
  });

  it('answers every example of the service as the whole set does: the same data, the same problems', async () => {
    expect(examples.filter((e) => e.invalid).length).toBeGreaterThan(0);
    expect(examples.filter((e) => !e.invalid).length).toBeGreaterThan(0);
    const thread = threadConfiguration(config);
    let produced = 0;
    for (const example of examples) {
      const envelope = example.envelope as unknown as Envelope;
      const destination = gewerbeamtOf(envelope.regionKey);
      const expected = await outcome(validateSubmission(whole, validateInput(envelope)));
      const actual = await outcome(
        validateSubmission(thread.forValidate(envelope.serviceKey), validateInput(envelope)),
      );
      expect(actual, example.file).toEqual(expected);
      if (!('value' in expected)) continue;
      const input = (set: ConfigurationSet) => ({
        config,
        xoev: set.xoev,
        productVersion: 'test',
        envelope,
        data: expected.value as Record<string, unknown>,
        submissionId: '5b0c7d3e-1f4a-4b7e-9c2d-8a6f1e3b2c10',
        createdAt: now,
      });
      const set = thread.forProduce([destination.standard]);
      const message = await outcome(messageFor(input(set), destination, '0e8f2a61-7c3b-4d95-a1e4-3f6b9c2d7e58'));
      expect(message, example.file).toEqual(
        await outcome(messageFor(input(whole), destination, '0e8f2a61-7c3b-4d95-a1e4-3f6b9c2d7e58')),
      );
      if ('value' in message) produced += 1;
    }
    expect(produced).toBeGreaterThan(0);
  });

  it('answers an unknown service as the whole set does', async () => {
    const envelope = { ...examples[0]!.envelope, serviceKey: '99999999999999' } as unknown as Envelope;
    const thread = threadConfiguration(config);
    expect(await outcome(validateSubmission(thread.forValidate(envelope.serviceKey), validateInput(envelope)))).toEqual(
      await outcome(validateSubmission(whole, validateInput(envelope))),
    );
    expect(thread.compiled().services).toEqual([]);
  });
});
