import express, { type Request } from 'express';
import { AmtsboteError } from '../lib/errors.js';
import type { IntakeContext } from '../intake/accept-submission.js';
import type { ConfigurationSet } from '../intake/configuration-set.js';
import type { KeyedHash } from '../lib/keyed-hash.js';
import type { KeyRing } from '../seal/index.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../lib/logger.js';
import type { RoutingState } from '../routing/routing-state.js';
import type { DeliveryControl } from '../delivery/worker.js';
import type { Reroute } from '../delivery/reroute.js';
import { adminAuth } from './admin/auth.js';
import { rateLimits } from './rate-limits.js';
import { securityHeaders } from './security-headers.js';
import { adminDeliveryRoutes } from './admin/delivery-routes.js';
import { mailboxRoutes } from './mailbox-routes.js';
import { schemaRoutes } from './schema-routes.js';
import { eventsRoutes } from './events-routes.js';
import { replyRoutes } from './reply-routes.js';
import { adminPortalRoutes } from './admin/portal-routes.js';
import { adminRoutingRoutes } from './admin/routing-routes.js';
import { adminOverviewRoutes } from './admin/overview-routes.js';
import { adminServiceRoutes } from './admin/service-routes.js';
import { adminDestinationRoutes } from './admin/destination-routes.js';
import { adminKeyRoutes } from './admin/key-routes.js';
import { adminReplyRoutes } from './admin/reply-routes.js';
import { adminPage } from './admin/page.js';
import { signInFailureAudit, type SignInSurface } from './sign-in-failures.js';
import { metricsAuth, metricsHandler, observeIntake } from './metrics-routes.js';
import type { Metrics } from '../observability/metrics.js';
import { adminConfigRoutes } from './admin/config-routes.js';
import type { Reload } from './admin/config-routes.js';
import { bearerToken, portalDirectory } from './portal-auth.js';
import { portalRoutes } from './portal-routes.js';
import { createBodyBudget } from './body-budget.js';
import { errorHandler } from './error-handler.js';
import { requestLog } from './request-log.js';
import type { FitConnectDirectories } from '../adapters/fitconnect/index.js';
import { fitConnectCallbackRoutes, type FitConnectCallbackDeps } from './fitconnect-callback-routes.js';
import { adminInboundRoutes, type InboundRoutesDeps } from './admin/inbound-routes.js';

export interface AppDeps {
  /** The in-request pipeline behind POST /v1/submissions. */
  intake: IntakeContext;
  /** The configuration, data validators and XÖV set in force: read per request, since a reload replaces them. */
  configuration: () => ConfigurationSet;
  store: Store;
  /** Gateway keys (the JWKS, rotation) and recipients' keys. */
  sealing: KeyRing;
  hash: KeyedHash;
  clock: () => Date;
  /** Intake's normalisation of data text, which the routing dry run applies as intake does. */
  normalize: IntakeContext['normalize'];
  /** Base of the links the API hands out: the configured public URL, or the address the gateway listens on. */
  publicBaseUrl: string;
  routing: RoutingState;
  worker?: DeliveryControl | undefined;
  reroute?: Reroute | undefined;
  /** Reloads services and mappings (POST /admin/v1/config/reload). */
  reloader?: Reload | undefined;
  logger: Logger;
  version: string;
  metrics?: Metrics | undefined;
  /** Serves /metrics on this app behind this bearer token (when metrics have no address of their own). */
  metricsToken?: string | undefined;
  /** The gateway's FIT-Connect directories: what FIT-Connect destinations take, for the admin destinations view. */
  fitConnect?: FitConnectDirectories | undefined;
  /** The FIT-Connect destinations this gateway subscribes to: their callbacks (absent: none configured). */
  fitConnectCallbacks?: Omit<FitConnectCallbackDeps, 'clock'> | undefined;
  /** Their picked-up submissions, for the admin API. */
  inbound?: Omit<InboundRoutesDeps, 'store' | 'clock'> | undefined;
}

export function createApp(deps: AppDeps): express.Express {
  const {
    intake,
    configuration,
    store,
    sealing,
    clock,
    routing,
    worker,
    reroute,
    reloader,
    logger,
    version,
    metrics,
    metricsToken,
  } = deps;
  // Settings of gateway.yaml apply only on restart (a reload that changes them is refused): read once.
  const { gateway } = configuration().config;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // The client address (failed sign-in limits) comes from X-Forwarded-For only when a trusted proxy sent it.
  const trustProxy = gateway.listen.trustProxy;
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
      await store.ping();
      res.json({ status: 'ok', store: store.kind, configHash: configuration().config.hash, version });
    } catch {
      res
        .status(503)
        .json({ status: 'unavailable', store: store.kind, configHash: configuration().config.hash, version });
    }
  });

  // The gateway's public signing keys, which receivers pin to verify sealed messages.
  app.get('/.well-known/jwks.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/jwk-set+json').send(JSON.stringify(sealing.jwks()));
  });

  let openapi: string | undefined;
  app.get('/v1/openapi.json', async (_req, res) => {
    // Imported when first asked for: zod-openapi and the document's schemas are no part of the start (issue 26).
    openapi ??= JSON.stringify((await import('./openapi.js')).openApiDocument(version, deps.publicBaseUrl));
    res.type('application/json').send(openapi);
  });
  if (metrics && metricsToken) app.get('/metrics', metricsAuth(metricsToken), metricsHandler(metrics));
  if (metrics) app.post('/v1/submissions', observeIntake(metrics));

  // Clients that failed to sign in too often are refused before any token is looked at.
  const limits = rateLimits({ store, limits: gateway.limits, hash: deps.hash, now: Date.now });
  const auditSignInFailure = signInFailureAudit(store, clock, logger);
  app.use(limits.refuseBlockedClients);

  // Receipts and the mailbox authenticate destinations, not portals: mounted before the portal routes.
  if (reroute) {
    app.use('/v1', eventsRoutes({ store, routing, sealing, reroute, clock, onReleased: () => worker?.kick() }));
  }
  // The schemas behind delivered messages are public, like the JWKS: receivers fetch what a message names.
  // FIT-Connect's callbacks are signed with the destination's secret: no bearer token.
  if (deps.fitConnectCallbacks) app.use(fitConnectCallbackRoutes({ ...deps.fitConnectCallbacks, clock }));
  app.use('/v1', schemaRoutes({ xoev: () => configuration().xoev }));
  app.use('/v1', mailboxRoutes({ store, routing, clock }));
  const bodyLimits = gateway.limits;
  const budget = createBodyBudget({
    maxBytes: bodyLimits.inFlightBodyBytes,
    maxWaitMs: bodyLimits.bodyWaitSeconds * 1000,
    retryAfterSeconds: 5,
  });
  // Replies come from destinations (signed like receipts): before the portal routes, which want a portal token.
  app.use(
    '/v1',
    replyRoutes({
      store,
      routing,
      sealing,
      clock,
      publicBaseUrl: deps.publicBaseUrl,
      metrics,
      budget,
      limits: { maxBodyBytes: bodyLimits.maxBodyBytes, bodyIdleMs: bodyLimits.bodyIdleSeconds * 1000 },
    }),
  );
  app.use(
    '/v1',
    portalRoutes(
      { intake, configuration, store, routing: () => routing.current(), publicBaseUrl: deps.publicBaseUrl, metrics },
      portalDirectory(store),
      limits,
      budget,
    ),
  );

  const admin = express.Router();
  admin.use(adminAuth(gateway.admins));
  admin.use(express.json({ limit: '2mb', strict: true }));
  // Getters, not copies: a configuration reload replaces the config and validators in force.
  admin.use(
    adminRoutingRoutes({
      get config() {
        return configuration().config;
      },
      get validators() {
        return configuration().validators;
      },
      store,
      routing,
      normalize: deps.normalize,
      clock,
    }),
  );
  if (reloader) admin.use(adminConfigRoutes(reloader));
  admin.use(adminDeliveryRoutes({ store, routing, worker, clock, reroute }));
  admin.use(
    adminPortalRoutes({ store, clock, overlapHours: gateway.tokenRotationOverlapHours, resolver: sealing.resolver }),
  );
  admin.use(adminOverviewRoutes({ store, routing, worker, clock }));
  admin.use(adminServiceRoutes({ services: () => configuration().config.services.values(), routing, clock }));
  admin.use(
    adminDestinationRoutes({
      store,
      routing,
      worker,
      resolver: sealing.resolver,
      clock,
      offers: deps.fitConnect ? { fitConnect: deps.fitConnect, configuration } : undefined,
    }),
  );
  admin.use(adminKeyRoutes({ store, sealing, clock }));
  admin.use(adminReplyRoutes({ store, clock, pickupDays: gateway.replyPickupDays }));
  admin.use(adminInboundRoutes({ store, clock, destinations: deps.inbound?.destinations ?? [] }));
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
