import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Router, type Request, type Response } from 'express';
import { AmtsboteError } from '../lib/errors.js';
import type { Xoev } from '../xoev/index.js';

/**
 * One schema a delivered message can name: `standard.schemaSet` / `contentStructure.data.submissionSchema.schemaUri`.
 */
export interface ServedSchema {
  /** As the message metadata name it: `amtsbote-profile:<standard>/<version>` or a JSON Schema's `$id`. */
  schemaUri: string;
  kind: 'xsd' | 'json-schema';
  standard: string;
  version: string;
  /** Path on this gateway (the XSD's root file; its imports lie beside it). */
  path: string;
}

const fileNamePattern = /^[A-Za-z0-9._-]{1,100}\.xsd$/;

/**
 * The schemas behind the messages the gateway produces, public like its JWKS, so a receiver can fetch the
 * schema a message names from the gateway that sealed it: the project's XSD profiles (relative imports
 * resolve beside the root file) and the JSON Schemas of JSON services. Official schema sets an operator
 * installed are the publisher's (XRepository) and are not served.
 */
export function schemaRoutes(deps: { xoev: () => Xoev }): Router {
  const router = Router();
  const cache = (res: Response) => res.setHeader('Cache-Control', 'public, max-age=300');

  router.get('/schemas', (_req: Request, res: Response) => {
    cache(res);
    res.json({ schemas: servedSchemas(deps.xoev()) });
  });

  router.get(
    '/schemas/xsd/:standard/:version/:file',
    (req: Request<{ standard: string; version: string; file: string }>, res: Response) => {
      const set = deps.xoev().schemaSets.get(`${req.params.standard}/${req.params.version}`);
      if (!set || set.kind !== 'amtsbote-profile')
        throw new AmtsboteError('not-found', 'No schema profile of this standard and version is served here.');
      const dir = dirname(set.rootFile);
      // Only a file that is listed in the profile's folder: never a path built from the request.
      const name = readdirSync(dir).find((f) => f === req.params.file && fileNamePattern.test(f));
      if (!name)
        throw new AmtsboteError('not-found', `The schema profile has no file ${req.params.file.slice(0, 100)}.`);
      cache(res);
      res.type('application/xml').send(readFileSync(join(dir, name)));
    },
  );

  router.get('/schemas/json', (req: Request, res: Response) => {
    const uri = typeof req.query.uri === 'string' ? req.query.uri : '';
    const mapping = deps.xoev().mappings.mappings.find((m) => m.format === 'json' && m.schemaUri === uri);
    if (!mapping || mapping.format !== 'json')
      throw new AmtsboteError('not-found', 'No JSON Schema with this $id is served here; give it as ?uri=<schemaUri>.');
    cache(res);
    res.type('application/schema+json').send(readFileSync(mapping.schemaFile));
  });

  return router;
}

/** Every served schema, once each, in a stable order. */
export function servedSchemas(xoev: Xoev): ServedSchema[] {
  const schemas = new Map<string, ServedSchema>();
  for (const set of xoev.schemaSets.values()) {
    if (set.kind !== 'amtsbote-profile') continue;
    const path = `/v1/schemas/xsd/${encodeURIComponent(set.standard)}/${encodeURIComponent(set.version)}/${encodeURIComponent(basename(set.rootFile))}`;
    schemas.set(set.id, { schemaUri: set.id, kind: 'xsd', standard: set.standard, version: set.version, path });
  }
  for (const m of xoev.mappings.mappings) {
    if (m.format !== 'json' || schemas.has(m.schemaUri)) continue;
    schemas.set(m.schemaUri, {
      schemaUri: m.schemaUri,
      kind: 'json-schema',
      standard: m.standard,
      version: m.version,
      path: `/v1/schemas/json?uri=${encodeURIComponent(m.schemaUri)}`,
    });
  }
  return [...schemas.values()].sort((a, b) => a.schemaUri.localeCompare(b.schemaUri));
}
