import express, { type Request } from 'express';
import { AmtsboteError } from '../lib/errors.js';
import type { IntakeContext } from '../intake/accept-submission.js';
import type { Logger } from '../lib/logger.js';
import type { RoutingState } from '../routing/routing-state.js';
import type { DeliveryWorker } from '../delivery/worker.js';
import type { Reroute } from '../delivery/replay.js';
import { adminAuth } from './admin/auth.js';
import { rateLimits } from './rate-limits.js';
import { securityHeaders } from './security-headers.js';
import { adminDeliveryRoutes } from './admin/delivery-routes.js';
import { mailboxRoutes } from './mailbox-routes.js';
import { schemaRoutes } from './schema-routes.js';
import { eventsRoutes } from './events-routes.js';
import { adminPortalRoutes } from './admin/portal-routes.js';
import { adminRoutingRoutes } from './admin/routing-routes.js';
import { adminOverviewRoutes } from './admin/overview-routes.js';
import { adminDestinationRoutes } from './admin/destination-routes.js';
import { adminKeyRoutes } from './admin/key-routes.js';
import { adminPage } from './admin/page.js';
import { signInFailureAudit, type SignInSurface } from './sign-in-failures.js';
import { metricsAuth, metricsHandler, observeIntake } from './metrics-routes.js';
import type { Metrics } from '../observability/metrics.js';
import { adminConfigRoutes } from './admin/config-routes.js';
import type { Reload } from './admin/config-routes.js';
import { openApiDocument } from './openapi.js';
import { bearerToken, portalDirectory } from './portal-auth.js';
import { portalRoutes } from './portal-routes.js';
import { createBodyBudget } from './body-budget.js';
import { errorHandler } from './error-handler.js';
import { requestLog } from './request-log.js';

export interface AppDeps {
  intake: IntakeContext;
  routing: RoutingState;
  worker?: DeliveryWorker | undefined;
  reroute?: Reroute | undefined;
  /** Reloads services and mappings (POST /admin/v1/config/reload). */
  reloader?: Reload | undefined;
  logger: Logger;
  version: string;
  metrics?: Metrics | undefined;
  /** Serves /metrics on this app behind this bearer token (when metrics have no address of their own). */
  metricsToken?: string | undefined;
}

export function createApp({ intake, routing, worker, reroute, reloader, logger, version, metrics, metricsToken }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // The client address (failed sign-in limits) comes from X-Forwarded-For only when a trusted proxy sent it.
  const trustProxy = intake.config.gateway.listen.trustProxy;
  app.set('trust proxy', trustProxy.length > 0 ? trustProxy : false);
  app.use(requestLog(logger));
  app.use(securityHeaders());
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', version });
  });
  app.get('/health/ready', async (_req, res) => {
    try {
      await intake.store.ping();
      res.json({ status: 'ok', store: intake.store.kind, configHash: intake.config.hash, version });
    } catch {
      res.status(503).json({ status: 'unavailable', store: intake.store.kind, configHash: intake.config.hash, version });
    }
  });

  // The gateway's public signing keys, which receivers pin to verify sealed messages.
  app.get('/.well-known/jwks.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/jwk-set+json').send(JSON.stringify(intake.sealing.jwks()));
  });

  // Built at the first request: the public base URL (the document's server) is known once the server listens.
  let openapi: string | undefined;
  app.get('/v1/openapi.json', (_req, res) => {
    openapi ??= JSON.stringify(openApiDocument(version, intake.publicBaseUrl));
    res.type('application/json').send(openapi);
  });
  if (metrics && metricsToken) app.get('/metrics', metricsAuth(metricsToken), metricsHandler(metrics));
  if (metrics) app.post('/v1/submissions', observeIntake(metrics));

  // Clients that failed to sign in too often are refused before any token is looked at.
  const limits = rateLimits({ store: intake.store, limits: intake.config.gateway.limits, hash: intake.hash, now: Date.now });
  const auditSignInFailure = signInFailureAudit(intake.store, intake.clock, logger);
  app.use(limits.refuseBlockedClients);

  // Receipts and the mailbox authenticate destinations, not portals: mounted before the portal routes.
  if (reroute) {
    app.use('/v1', eventsRoutes({ store: intake.store, routing, sealing: intake.sealing, reroute, clock: intake.clock, onReleased: () => worker?.kick() }));
  }
  // The schemas behind delivered messages are public, like the JWKS: receivers fetch what a message names.
  app.use('/v1', schemaRoutes({ xoev: () => intake.xoev }));
  app.use('/v1', mailboxRoutes({ store: intake.store, routing, clock: intake.clock }));
  const bodyLimits = intake.config.gateway.limits;
  const budget = createBodyBudget({ maxBytes: bodyLimits.inFlightBodyBytes, maxWaitMs: bodyLimits.bodyWaitSeconds * 1000, retryAfterSeconds: 5 });
  app.use('/v1', portalRoutes(intake, portalDirectory(intake.store), limits, budget));

  const admin = express.Router();
  admin.use(adminAuth(intake.config.gateway.admins));
  admin.use(express.json({ limit: '2mb', strict: true }));
  // Getters, not copies: a configuration reload replaces intake's config and validators.
  admin.use(
    adminRoutingRoutes({
      get config() { return intake.config; },
      get validators() { return intake.validators; },
      store: intake.store,
      routing,
      normalize: intake.normalize,
      clock: intake.clock,
    }),
  );
  if (reloader) admin.use(adminConfigRoutes(reloader));
  admin.use(adminDeliveryRoutes({ store: intake.store, routing, worker, clock: intake.clock, reroute }));
  admin.use(adminPortalRoutes({ store: intake.store, clock: intake.clock, overlapHours: intake.config.gateway.tokenRotationOverlapHours }));
  admin.use(adminOverviewRoutes({ store: intake.store, routing, worker, clock: intake.clock }));
  admin.use(adminDestinationRoutes({ store: intake.store, routing, worker, resolver: intake.sealing.resolver, clock: intake.clock }));
  admin.use(adminKeyRoutes({ store: intake.store, sealing: intake.sealing, clock: intake.clock }));
  app.use('/admin/v1', admin);
  app.use('/admin', adminPage());

  app.use((req, _res, next) => {
    next(new AmtsboteError('not-found', `Nothing at ${req.method} ${req.path.slice(0, 200)}.`));
  });
  app.use(errorHandler({ logger, unauthenticated: failedSignIn }));
  return app;

  /** Every refused token counts against the client's sign-in bucket and is audited until it is limited. */
  async function failedSignIn(req: Request, error: AmtsboteError): Promise<AmtsboteError> {
    try {
      const outcome = await limits.signInFailed(req);
      if (outcome.audit) {
        const surface = surfaceOf(req.path);
        auditSignInFailure({
          surface,
          reason: bearerToken(req) ? 'unknown-token' : 'missing-token',
          client: outcome.client,
          path: surface === 'admin' ? req.path.slice('/admin/v1'.length) : undefined,
        });
      }
      return outcome.limited ?? error;
    } catch (e) {
      logger.warn({ errorClass: (e as Error).name }, 'could not record a failed sign-in');
      return error;
    }
  }
}

/** Which API a request went to, without ids from the path. */
function surfaceOf(path: string): SignInSurface {
  if (path.startsWith('/admin/')) return 'admin';
  if (path === '/metrics') return 'metrics';
  if (path.startsWith('/v1/mailbox/')) return 'mailbox';
  if (path.startsWith('/v1/events')) return 'receipts';
  return 'portal';
}
