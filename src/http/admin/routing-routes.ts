import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { ConfigFiles } from '../../config/load.js';
import type { Routing } from '../../config/routing-schema.js';
import { AmtsboteError, type FieldError } from '../../lib/errors.js';
import type { DataValidator } from '../../intake/data-validator.js';
import { zodProblem } from '../../lib/zod-field-errors.js';
import { diffRouting, diffSummary } from '../../routing/diff.js';
import { changesOutsideScope } from '../../routing/region-scope.js';
import { restoreRedacted, routingFor } from '../../routing/redact-routing.js';
import { resolveRoute } from '../../routing/resolve.js';
import type { RoutingState } from '../../routing/routing-state.js';
import { validateRouting } from '../../config/validate-routing.js';
import type { Store } from '../../store/store.js';
import { currentAdmin, ifMatchVersion, requireEditor } from './auth.js';
import { regionKeySchema, serviceKeySchema } from '../../config/identifiers.js';
import { instantSchema } from '../../config/routing-schema.js';
import { instantMs } from '../../config/rule-validity.js';
import { envelopeSchema } from '../../intake/envelope-schema.js';

export interface AdminRoutingDeps {
  config: ConfigFiles;
  store: Store;
  routing: RoutingState;
  validators: ReadonlyMap<string, DataValidator>;
  normalize: (data: Record<string, unknown>) => Record<string, unknown>;
  clock: () => Date;
}

const noteSchema = z.string().trim().min(3, 'a change note is required (why this change)').max(500);
const putSchema = z.strictObject({ note: noteSchema, document: z.unknown() });
const validateSchema = z.strictObject({ document: z.unknown() });
const rollbackSchema = z.strictObject({ note: z.unknown().optional() });
const dryRunSchema = z.union([
  z.strictObject({
    serviceKey: serviceKeySchema,
    regionKey: regionKeySchema,
    at: instantSchema.optional(),
    document: z.unknown().optional(),
  }),
  z.strictObject({ envelope: z.unknown(), at: instantSchema.optional(), document: z.unknown().optional() }),
]);

const etag = (version: number) => `"${version}"`;

/**
 * Service and region names by key, from the configuration (read per call: a reload may add services), so
 * a person reading a rule sees "Gewerbeanmeldung × Stadt Leipzig" beside the 14 and 12 digits.
 */
const routingNames = (config: ConfigFiles) => ({
  services: Object.fromEntries([...config.services].map(([key, service]) => [key, service.definition.name])),
  regions: Object.fromEntries([...config.regions].map(([ars, region]) => [ars, region.name])),
});

/** Routing under /admin/v1/routing: read, replace with optimistic concurrency, history, rollback, dry run. */
export function adminRoutingRoutes(deps: AdminRoutingDeps): Router {
  const router = Router();
  const checkDocument = (document: unknown, prefix: string): Routing => {
    // Read per call: a configuration reload may have added services.
    const checked = validateRouting(document, new Set(deps.config.services.keys()), deps.config.fileDropRoot);
    if ('errors' in checked) {
      throw new AmtsboteError(
        'invalid-routing',
        'The routing document is invalid; nothing was changed.',
        checked.errors.map((e) => ({ ...e, pointer: prefix + e.pointer })),
      );
    }
    return checked.routing;
  };

  /** A destination whose key the policy refuses never reaches the store. */
  const checkKeys = async (routing: Routing) => {
    const problems = await deps.routing.checkKeys(routing);
    if (problems.length > 0)
      throw new AmtsboteError(
        'invalid-routing',
        'A destination key cannot be used; nothing was changed.',
        problems.map((e) => ({ ...e, pointer: '/document' + e.pointer })),
      );
  };

  const parse = <T>(schema: z.ZodType<T>, body: unknown): T => {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw zodProblem('invalid-request', 'The request body', parsed.error);
    return parsed.data;
  };

  /** Appends a version as an editor within their regions; 412 when someone else saved first. */
  const save = async (res: Response, expected: number, next: Routing, note: string) => {
    const admin = requireEditor(res);
    if (expected !== deps.routing.current().version) await deps.routing.refresh();
    const before = deps.routing.current();
    if (expected !== before.version) {
      throw new AmtsboteError(
        'precondition-failed',
        `Routing is at version ${before.version}; you edited version ${expected}. Reload and apply your change again.`,
      );
    }
    if (admin.regions) {
      const outside = changesOutsideScope(before.routing, next, admin.regions);
      if (outside.length > 0)
        throw new AmtsboteError(
          'forbidden',
          'The change touches regions outside yours.',
          outside.map((e) => ({ ...e, pointer: '/document' + e.pointer })),
        );
    }
    const version = await deps.store.appendRoutingVersion(expected, {
      document: next,
      author: admin.id,
      note,
      createdAt: deps.clock().toISOString(),
    });
    if (version === undefined)
      throw new AmtsboteError(
        'precondition-failed',
        'Routing changed while you saved. Reload and apply your change again.',
      );
    await deps.routing.refresh();
    const diff = diffRouting(before.routing, next);
    await deps.store.appendAudit({
      at: deps.clock().toISOString(),
      actor: admin.id,
      action: 'routing.change',
      detail: { version, note, diff: diffSummary(diff) },
    });
    res.status(200).setHeader('ETag', etag(version));
    res.json({ version, diff });
  };

  router.get('/routing', (_req, res) => {
    const { version, routing } = deps.routing.current();
    res.setHeader('ETag', etag(version));
    res.json({ version, document: routingFor(currentAdmin(res), routing), names: routingNames(deps.config) });
  });

  router.put('/routing', async (req: Request, res: Response) => {
    requireEditor(res);
    const expected = ifMatchVersion(req);
    const body = parse(putSchema, req.body);
    // Redacted destinations are restored from the version the editor read, so that one must be at hand.
    if (expected !== deps.routing.current().version) await deps.routing.refresh();
    const next = checkDocument(restoreRedacted(body.document, deps.routing.current().routing), '/document');
    await checkKeys(next);
    await save(res, expected, next, body.note);
  });

  /**
   * Checks a proposed document without saving it: field errors with pointers, and the diff against the current version.
   */
  router.post('/routing/validate', (req: Request, res: Response) => {
    const body = parse(validateSchema, req.body);
    const current = deps.routing.current();
    const checked = validateRouting(
      restoreRedacted(body.document, current.routing),
      new Set(deps.config.services.keys()),
      deps.config.fileDropRoot,
    );
    if ('errors' in checked) {
      res.json({ valid: false, errors: checked.errors.map((e) => ({ ...e, pointer: '/document' + e.pointer })) });
      return;
    }
    // The verdict saving would give: a region-limited admin learns here what they may not change.
    const { regions } = currentAdmin(res);
    const outside = regions ? changesOutsideScope(current.routing, checked.routing, regions) : [];
    const errors = outside.map((e) => ({ ...e, pointer: '/document' + e.pointer }));
    res.json({
      valid: errors.length === 0,
      errors,
      version: current.version,
      diff: diffRouting(current.routing, checked.routing),
    });
  });

  router.get('/routing/versions', async (_req, res) => {
    res.json({ versions: await deps.store.listRoutingVersions() });
  });

  router.get('/routing/versions/:n', async (req: Request<{ n: string }>, res: Response) => {
    const n = Number(req.params.n);
    const entry = Number.isInteger(n) && n > 0 ? await deps.store.getRoutingVersion(n) : undefined;
    if (!entry) throw new AmtsboteError('not-found', `No routing version ${req.params.n.slice(0, 12)}.`);
    const previous = n > 1 ? await deps.store.getRoutingVersion(n - 1) : undefined;
    res.json({
      ...entry,
      document: routingFor(currentAdmin(res), entry.document as Routing),
      diff: previous ? diffRouting(previous.document as Routing, entry.document as Routing) : undefined,
    });
  });

  /**
   * Rolls back by saving an earlier version's document as a new version. Like PUT it needs the ETag of the
   * version the editor looked at (a rollback over a newer change would silently undo it) and a note.
   */
  router.post('/routing/rollback/:n', async (req: Request<{ n: string }>, res: Response) => {
    requireEditor(res);
    const expected = ifMatchVersion(req);
    const body = parse(rollbackSchema, req.body ?? {});
    const note = noteSchema.safeParse(body.note);
    if (!note.success)
      throw new AmtsboteError(
        'note-required',
        'Say why you roll back: the note is kept in the version history and the audit log.',
        [{ pointer: '/note', detail: 'a note of at least 3 characters is required' }],
      );
    const n = Number(req.params.n);
    const entry = Number.isInteger(n) && n > 0 ? await deps.store.getRoutingVersion(n) : undefined;
    if (!entry) throw new AmtsboteError('not-found', `No routing version ${req.params.n.slice(0, 12)}.`);
    // A rolled-back document must still be valid today (a service may have gone since).
    const document = checkDocument(entry.document, '/document');
    await checkKeys(document);
    await save(res, expected, document, `rollback to version ${n}: ${note.data}`);
  });

  router.post('/routing/dry-run', (req: Request, res: Response) => {
    const body = parse(dryRunSchema, req.body);
    const routing =
      body.document === undefined
        ? deps.routing.current().routing
        : checkDocument(restoreRedacted(body.document, deps.routing.current().routing), '/document');
    const at = body.at ? new Date(instantMs(body.at)) : deps.clock();
    let serviceKey: string;
    let regionKey: string;
    let dataErrors: FieldError[] | undefined;
    if ('envelope' in body) {
      const envelope = envelopeSchema.safeParse(body.envelope);
      if (!envelope.success)
        throw zodProblem('invalid-envelope', 'The envelope', envelope.error, { prefix: '/envelope' });
      ({ serviceKey, regionKey } = envelope.data);
      const validator = deps.validators.get(serviceKey);
      if (!validator)
        throw new AmtsboteError('unknown-service', `No service with the key ${serviceKey}.`, [
          { pointer: '/envelope/serviceKey', detail: 'unknown service' },
        ]);
      dataErrors = validator(deps.normalize(envelope.data.data)).map((e) => ({
        ...e,
        pointer: '/envelope' + e.pointer,
      }));
    } else {
      ({ serviceKey, regionKey } = body);
    }
    const resolution = resolveRoute(routing, serviceKey, regionKey, at);
    res.json({
      routingVersion: body.document === undefined ? deps.routing.current().version : 'proposed',
      at: at.toISOString(),
      destinations: resolution.destinations.map((d) => ({
        id: d.id,
        name: d.name,
        adapter: d.adapter.kind,
        standard: d.standard,
      })),
      explanation: resolution.explanation,
      ...(dataErrors ? { data: { valid: dataErrors.length === 0, errors: dataErrors } } : {}),
    });
  });

  return router;
}
