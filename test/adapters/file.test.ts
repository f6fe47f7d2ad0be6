import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileAdapter } from '../../src/adapters/file.js';
import { testDestination } from '../helpers/outbox.js';

const dir = mkdtempSync(join(tmpdir(), 'amtsbote-file-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
const context = { dataDir: dir, configDir: dir, outbound: { allowLoopback: true, allowLinkLocal: false }, now: () => new Date('2026-11-25T10:00:00Z') };
const message = { messageId: 'm-1', submissionId: 's-1', destinationId: 'drop', serviceKey: '99050012104000', contentType: 'application/json', body: '{"format":"amtsbote-sealed/1"}' };

describe('file adapter', () => {
  it('writes the message and then its manifest, atomically, with no temp files left', async () => {
    const adapter = createFileAdapter(testDestination('drop', { kind: 'file', directory: 'outbox/drop' }), context);
    const outcome = await adapter.deliver(message, undefined, new AbortController().signal);
    expect(outcome).toEqual({ kind: 'delivered' });
    const folder = join(dir, 'outbox/drop');
    expect(readdirSync(folder).sort()).toEqual(['m-1.json', 'm-1.manifest.json']);
    expect(readFileSync(join(folder, 'm-1.json'), 'utf8')).toBe(message.body);
    expect(JSON.parse(readFileSync(join(folder, 'm-1.manifest.json'), 'utf8'))).toMatchObject({ messageId: 'm-1', file: 'm-1.json', serviceKey: '99050012104000' });
  });

  it('never overwrites a message that is there already (a repeated attempt)', async () => {
    const adapter = createFileAdapter(testDestination('drop', { kind: 'file', directory: 'outbox/drop' }), context);
    const outcome = await adapter.deliver({ ...message, body: 'something else' }, undefined, new AbortController().signal);
    expect(outcome.kind).toBe('delivered');
    expect(readFileSync(join(dir, 'outbox/drop/m-1.json'), 'utf8')).toBe(message.body);
    expect(readdirSync(join(dir, 'outbox/drop')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('retries when the folder cannot be written and fails for a path that is a file', async () => {
    mkdirSync(join(dir, 'blocked'), { recursive: true });
    writeFileSync(join(dir, 'blocked/file'), 'x');
    const adapter = createFileAdapter(testDestination('drop', { kind: 'file', directory: 'blocked/file/inner' }), context);
    const outcome = await adapter.deliver(message, undefined, new AbortController().signal);
    expect(outcome.kind === 'failed' || outcome.kind === 'retry').toBe(true);
    expect('reason' in outcome && outcome.reason).toMatch(/^file-E/);
  });
});
