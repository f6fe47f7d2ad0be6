import { basename } from 'node:path';
import { z } from 'zod';
import { readConfigFile } from '../config/read-yaml.js';
import { routingSchema, type Routing } from '../config/routing-schema.js';
import { AmtsboteError, type FieldError } from '../lib/errors.js';
import type { Store } from '../store/store.js';
import { diffRouting, diffSummary, isEmptyDiff, type RoutingDiff } from '../routing/diff.js';
import { validateRouting } from '../config/validate-routing.js';

/**
 * `amtsbote routing import <file> --note`: the only way a routing file reaches a store that has versions.
 * Validated like an API change; stored as a new version on top of the current one and audited like one.
 */
export async function importRouting(
  store: Store,
  file: string,
  options: {
    knownServices: ReadonlySet<string>;
    fileDropRoot: string;
    checkKeys?: (routing: Routing) => Promise<FieldError[]>;
    note: string;
    author: string;
    now: Date;
  },
): Promise<{ version: number; diff: RoutingDiff | undefined }> {
  const { value } = readConfigFile(file, z.unknown());
  const checked = validateRouting(value, options.knownServices, options.fileDropRoot);
  if ('errors' in checked) {
    throw new AmtsboteError(
      'invalid-routing',
      `${file}: ${checked.errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ')}`,
      checked.errors,
    );
  }
  const keyProblems = (await options.checkKeys?.(checked.routing)) ?? [];
  if (keyProblems.length > 0) {
    throw new AmtsboteError(
      'invalid-routing',
      `${file}: ${keyProblems.map((e) => `${e.pointer}: ${e.detail}`).join('; ')}`,
      keyProblems,
    );
  }
  const current = await store.currentRouting();
  const diff = current ? diffRouting(routingSchema.parse(current.document), checked.routing) : undefined;
  if (diff && isEmptyDiff(diff))
    throw new AmtsboteError(
      'conflict',
      `${file} is identical to routing version ${current?.version ?? 0}; nothing imported.`,
    );
  const version = await store.appendRoutingVersion(current?.version ?? 0, {
    document: checked.routing,
    author: options.author,
    note: options.note,
    createdAt: options.now.toISOString(),
  });
  if (version === undefined) throw new AmtsboteError('conflict', 'Routing changed during the import; run it again.');
  await store.appendAudit({
    at: options.now.toISOString(),
    actor: options.author,
    action: 'routing.change',
    detail: { version, note: options.note, imported: basename(file), ...(diff ? { diff: diffSummary(diff) } : {}) },
  });
  return { version, diff };
}
