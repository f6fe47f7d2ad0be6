import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileAdapter, fileAdapterConfigSchema, removeFileDropLeftovers } from '../../src/adapters/file.js';
import { scratchAdapterContext, testDestination } from '../helpers/outbox.js';

const { dir, context } = scratchAdapterContext('amtsbote-file-');
const message = {
  messageId: 'm-1',
  submissionId: 's-1',
  destinationId: 'drop',
  serviceKey: '99050012104000',
  contentType: 'application/json',
  body: '{"format":"amtsbote-sealed/1"}',
};

describe('file adapter', () => {
  it('writes the message and then its manifest, atomically, with no temp files left', async () => {
    const adapter = createFileAdapter(
      fileAdapterConfigSchema.parse({ kind: 'file', directory: 'outbox/drop' }),
      context,
    );
    const outcome = await adapter.deliver(message, undefined, new AbortController().signal);
    expect(outcome).toEqual({ kind: 'delivered' });
    const folder = join(dir, 'outbox/drop');
    // temp files live in a dot-named subfolder, which the pick-up rule (README, file drop) never reads
    expect(readdirSync(folder).sort()).toEqual(['.amtsbote-tmp', 'm-1.json', 'm-1.manifest.json']);
    expect(readdirSync(join(folder, '.amtsbote-tmp'))).toEqual([]);
    expect(readFileSync(join(folder, 'm-1.json'), 'utf8')).toBe(message.body);
    expect(JSON.parse(readFileSync(join(folder, 'm-1.manifest.json'), 'utf8'))).toMatchObject({
      messageId: 'm-1',
      file: 'm-1.json',
      serviceKey: '99050012104000',
    });
  });

  it('never overwrites a message that is there already (a repeated attempt)', async () => {
    const adapter = createFileAdapter(
      fileAdapterConfigSchema.parse({ kind: 'file', directory: 'outbox/drop' }),
      context,
    );
    const outcome = await adapter.deliver(
      { ...message, body: 'something else' },
      undefined,
      new AbortController().signal,
    );
    expect(outcome.kind).toBe('delivered');
    expect(readFileSync(join(dir, 'outbox/drop/m-1.json'), 'utf8')).toBe(message.body);
    expect(readdirSync(join(dir, 'outbox/drop')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('removes the temp files a killed process left, in the temp folder and beside the messages (issue 19 F9)', async () => {
    const folder = join(dir, 'outbox/left');
    mkdirSync(join(folder, '.amtsbote-tmp'), { recursive: true });
    writeFileSync(join(folder, '.amtsbote-tmp', 'm-2.json.6f1c2a9e-3b7d-4c1e-9a55-0d2e8f7b1c34.tmp'), 'half a message');
    writeFileSync(
      join(folder, '.m-3.json.0b8e4d2f-7a1c-4e9b-8d3a-5c6f2e1a9b07.tmp'),
      'half a message of an earlier version',
    );
    writeFileSync(join(folder, 'm-4.json'), 'a delivered message');
    writeFileSync(join(folder, '.recipient-owns-this'), 'not ours');
    const problems = await removeFileDropLeftovers(dir, [
      testDestination('left', { kind: 'file', directory: 'outbox/left' }),
      testDestination('missing', { kind: 'file', directory: 'outbox/never-written' }),
    ]);
    expect(problems).toEqual([]);
    expect(readdirSync(folder).sort()).toEqual(['.recipient-owns-this', 'm-4.json']);
  });

  it('retries when the folder cannot be written and fails for a path that is a file', async () => {
    mkdirSync(join(dir, 'blocked'), { recursive: true });
    writeFileSync(join(dir, 'blocked/file'), 'x');
    const adapter = createFileAdapter(
      fileAdapterConfigSchema.parse({ kind: 'file', directory: 'blocked/file/inner' }),
      context,
    );
    const outcome = await adapter.deliver(message, undefined, new AbortController().signal);
    expect(outcome.kind === 'failed' || outcome.kind === 'retry').toBe(true);
    expect('reason' in outcome && outcome.reason).toMatch(/^file-E/);
  });
});
