import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { adapterTable, createAdapter } from '../../src/adapters/index.js';
import { destinationSchema } from '../../src/config/routing-schema.js';
import { scratchAdapterContext, testDestination } from '../helpers/outbox.js';
import { projectRoot } from '../helpers/paths.js';
import { destinationKeySources } from '../../src/config/destination-key-sources.js';
import type { Destination } from '../../src/config/routing-schema.js';

/** What the delivery worker hands an adapter: the destination with its receipt key source. */
const withKeys = (destination: Destination) => ({
  ...destination,
  receiptKey: destinationKeySources(destination).receipt,
});

const adaptersDir = join(projectRoot, 'src/adapters');
const { dir, context } = scratchAdapterContext('amtsbote-table-');
const message = {
  messageId: 'm-1',
  submissionId: 's-1',
  destinationId: 'd',
  serviceKey: '99050012104000',
  contentType: 'application/json',
  body: '{}',
};

/** The adapter modules: each file of src/adapters/ and each folder's index.ts that exports a `kind`. */
async function adapterModules(): Promise<{ path: string; exports: Record<string, unknown> }[]> {
  const paths = readdirSync(adaptersDir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return [join(entry.name, 'index.ts')];
    return entry.name.endsWith('.ts') && entry.name !== 'index.ts' ? [entry.name] : [];
  });
  const modules = await Promise.all(
    paths.map(async (path) => ({
      path,
      exports: (await import(pathToFileURL(join(adaptersDir, path)).href)) as Record<string, unknown>,
    })),
  );
  return modules.filter((m) => typeof m.exports.kind === 'string');
}

describe('the adapter table', () => {
  it("has one row per kind, and the routing schema's adapter union is made of exactly its rows' config schemas", () => {
    const kinds = adapterTable.map((row) => row.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    const union = destinationSchema.shape.adapter;
    expect(union.options).toHaveLength(adapterTable.length);
    union.options.forEach((schema, i) => {
      expect(schema).toBe(adapterTable[i]?.configSchema);
    });
    expect(union.options.map((schema) => schema.shape.kind.value)).toEqual(kinds);
  });

  it("ties each row's kind to its config schema and gives it a factory", () => {
    for (const row of adapterTable) {
      expect(row.configSchema.shape.kind.value).toBe(row.kind);
      expect(typeof row.create).toBe('function');
      for (const other of adapterTable.filter((r) => r.kind !== row.kind)) {
        expect(row.configSchema.safeParse({ kind: other.kind }).success).toBe(false);
      }
    }
  });

  it("has a row for every adapter file or folder, made of that module's own kind, config schema and factory", async () => {
    const modules = await adapterModules();
    expect(modules.map((m) => m.exports.kind).sort()).toEqual(adapterTable.map((row) => row.kind).sort());
    for (const { path, exports } of modules) {
      const row = adapterTable.find((r) => r.kind === exports.kind);
      const exported = Object.values(exports);
      expect(exported, `${path}: its config schema`).toContain(row?.configSchema);
      expect(exported, `${path}: its factory`).toContain(row?.create);
    }
  });

  it("reports an unknown kind as before: at /adapter/kind, naming the kinds in the table's order", () => {
    const result = destinationSchema.safeParse(testDestinationInput({ kind: 'ftp' }));
    const issue = result.error?.issues.find((i) => i.path.join('/') === 'adapter/kind');
    expect(issue?.message).toBe(
      "Invalid discriminator value. Expected 'http' | 'mailbox' | 'file' | 'amqp' | 'fitconnect'",
    );
  });

  it("creates the adapter its destination's kind names, given that kind's config", async () => {
    const box = createAdapter(
      withKeys(testDestination('box', { kind: 'mailbox', tokenHashes: ['sha256:' + 'a'.repeat(64)], pickupDays: 2 })),
      context,
    );
    expect(await box.deliver(message, undefined, new AbortController().signal)).toEqual({
      kind: 'awaiting-pickup',
      until: new Date('2026-11-27T10:00:00Z'),
      state: { pickupUntil: '2026-11-27T10:00:00.000Z' },
    });
    const drop = createAdapter(withKeys(testDestination('drop', { kind: 'file', directory: 'drop' })), context);
    expect(await drop.deliver(message, undefined, new AbortController().signal)).toEqual({ kind: 'delivered' });
    expect(
      readdirSync(join(dir, 'drop'))
        .filter((name) => !name.startsWith('.'))
        .sort(),
    ).toEqual(['m-1.json', 'm-1.manifest.json']);
  });
});

/** A destination as routing.yaml holds it, with the given adapter (not parsed: the schema is under test). */
function testDestinationInput(adapter: Record<string, unknown>): Record<string, unknown> {
  const { adapter: _valid, ...rest } = testDestination('drop', { kind: 'file', directory: 'drop' });
  return { ...rest, adapter };
}
