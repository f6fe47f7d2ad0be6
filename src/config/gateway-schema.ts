import { z } from 'zod';
import { gatewayKeysConfigSchema, recipientKeyPolicyConfigSchema } from '../seal/gateway-keys/config-schema.js';
import { authorityIdentitySchema } from './routing-schema.js';
import { portalSchema } from './portal.js';
import { regionKeySchema, serviceKeySchema } from './identifiers.js';
import { secretRefSchema } from '../lib/secret-ref.js';
import { trustedProxySchema } from './trusted-proxy.js';
import { tokenHashSchema } from '../lib/token-hash.js';
import { fitConnectSubscribersSchema } from './fitconnect-subscribers-schema.js';

export { portalSchema, type Portal } from './portal.js';

/**
 * Days each kind of data is kept after its submission is final (every delivery and callback done:
 * delivered, accepted, rejected or cancelled — a dead letter keeps everything until it is replayed).
 * GDPR: as short as replays, receipts and the operator's duty to give account allow.
 */
const retentionPeriodsSchema = z.strictObject({
  /** The sealed messages (encrypted to the recipient), kept for a mailbox's late fetch or a re-send. */
  sealedMessageDays: z.number().min(0).max(3650).default(14),
  /** The escrow copy (encrypted to the gateway): replay with reroute and re-sealing need it. */
  escrowDays: z.number().min(0).max(3650).default(30),
  /** Idempotency keys: a portal retrying after this gets a new submission. */
  idempotencyKeyDays: z.number().min(0).max(3650).default(30),
  /** The event log (receipts as evidence); it is replaced by one purge event that keeps the chain's end. */
  eventLogDays: z.number().min(0).max(3650).default(365),
});
const retentionOverrideSchema = retentionPeriodsSchema.partial();
export type RetentionPeriods = z.infer<typeof retentionPeriodsSchema>;

const retentionSchema = retentionPeriodsSchema
  .extend({
    /** Audit records of admin actions, counted from the action (not per service). */
    auditDays: z.number().min(1).max(3650).default(730),
    /** A reply's ciphertext, counted from the portal's confirmation (its metadata and event log stay). */
    replyDays: z.number().min(0).max(3650).default(30),
    /** Periods of single services that differ from the defaults above, by LeiKa key. */
    services: z.record(serviceKeySchema, retentionOverrideSchema).default({}),
    /** How often the housekeeping job runs. */
    purgeIntervalMinutes: z.number().min(0.01).max(1440).default(60),
  })
  .prefault({});

/** Operators of the admin API: a viewer reads, an editor changes — each optionally limited to ARS prefixes. */
export const adminSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be lower-case letters, digits and hyphens'),
  name: z.string().min(1).max(200),
  tokenHashes: z.array(tokenHashSchema).min(1),
  role: z.enum(['viewer', 'editor']),
  /** ARS prefixes this admin may see and change; absent: every region. */
  regions: z
    .array(z.string().regex(/^[0-9]{2,12}$/, 'must be an ARS or a prefix of one'))
    .min(1)
    .optional(),
});

export type Admin = z.infer<typeof adminSchema>;

export const regionSchema = z.strictObject({
  ars: regionKeySchema,
  name: z.string().min(1).max(200),
  /** The region's authorities by role (e.g. `gewerbeamt`), used as `autor` of the messages written on their behalf. */
  authorities: z.record(z.string(), authorityIdentitySchema).default({}),
});

export type Region = z.infer<typeof regionSchema>;

const MiB = 1024 * 1024;

/**
 * The database URL: a reference (`env:NAME`, `file:path`), or a postgres:// URL written into gateway.yaml
 * itself only when it carries no password — secrets are referenced, never inlined.
 */
const databaseUrlSchema = z.string().superRefine((value, ctx) => {
  if (secretRefSchema.safeParse(value).success) return;
  if (!/^postgres(ql)?:\/\//.test(value) || !URL.canParse(value)) {
    ctx.addIssue({ code: 'custom', message: 'must be "env:NAME", "file:path" or a postgres:// URL' });
  } else if (new URL(value).password !== '') {
    ctx.addIssue({
      code: 'custom',
      message: 'a URL with a password is a secret: reference it with "env:NAME" or "file:path"',
    });
  }
});

export const gatewaySchema = z.strictObject({
  listen: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65_535).default(8080),
      /**
       * The reverse proxies in front of the gateway whose `X-Forwarded-For` is believed: addresses, subnets
       * (`10.0.0.0/8`) or `loopback` / `linklocal` / `uniquelocal`. Without it, behind a proxy every client has
       * the proxy's address, and one client's failed sign-ins would lock out all of them.
       */
      trustProxy: z.array(trustedProxySchema).max(100).default([]),
      /**
       * The portal port faces the internet: at most this many open connections (more are refused at once),
       * request headers within `headersTimeoutSeconds`, a whole request within `requestTimeoutSeconds`.
       */
      maxConnections: z.number().int().min(1).max(100_000).default(512),
      headersTimeoutSeconds: z.number().min(1).max(300).default(10),
      requestTimeoutSeconds: z.number().min(5).max(3600).default(120),
      /**
       * Longer than clients' and load balancers' idle timeouts, so the server never closes a connection being reused.
       */
      keepAliveTimeoutSeconds: z.number().min(1).max(600).default(65),
    })
    .prefault({}),
  /** Base URL portals reach the gateway at; `statusUrl` is built from it. Unset: the address it listens on. */
  publicBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Relative to the config file's folder. */
  dataDir: z.string().min(1).default('../data'),
  /**
   * The only folder `file` destinations write below (relative to the config file's folder; default
   * `<dataDir>/outbox`). Routing names a folder relative to it and can never leave it: the operator, not a
   * routing editor, decides where the gateway may write.
   */
  fileDropRoot: z.string().min(1).optional(),
  store: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('sqlite'), file: z.string().min(1).default('amtsbote.sqlite') }),
      z.strictObject({
        kind: z.literal('postgres'),
        /** `env:NAME` or `file:path` holding a postgres:// URL; inline only without a password. */
        url: databaseUrlSchema,
        /** Connections of this instance's pool (PostgreSQL's max_connections is shared by all instances). */
        poolSize: z.number().int().min(1).max(100).default(10),
      }),
    ])
    .default({ kind: 'sqlite', file: 'amtsbote.sqlite' }),
  /** Key for HMACs of content (idempotency); created in the data dir on first start when not set. */
  hmacSecret: secretRefSchema.optional(),
  services: z.string().min(1).default('services'),
  /** Mappings, the bundled profile schemas and code lists (relative to this file's folder). */
  mappings: z.string().min(1).default('../mappings'),
  xsd: z.string().min(1).default('../xsd'),
  codelists: z.string().min(1).default('codelists'),
  /** Official schema sets an operator installed (`amtsbote schemas add`); default `<dataDir>/schemas`. */
  officialSchemas: z.string().min(1).optional(),
  routing: z.string().min(1).default('routing.yaml'),
  regions: z.array(regionSchema).default([]),
  /** Seeds the store once, when it holds no portal yet; afterwards the store is the source of truth. */
  portals: z.array(portalSchema).default([]),
  admins: z.array(adminSchema).default([]),
  /** How long a portal's previous token stays valid after a rotation. */
  tokenRotationOverlapHours: z
    .number()
    .min(0)
    .max(24 * 90)
    .default(24),
  /** A reply the portal has not fetched within this many days is shown to the operator as undelivered (issue 24). */
  replyPickupDays: z.number().min(0).max(365).default(7),
  /** How often an instance looks for a new routing version in the store. */
  routingPollSeconds: z.number().min(0.1).max(300).default(2),
  /**
   * Where outbound HTTP (push deliveries, portal callbacks) may connect, checked after DNS resolution: never
   * to an unspecified address, and to loopback or link-local (cloud metadata) addresses only where allowed.
   */
  outbound: z
    .strictObject({
      allowLoopback: z.boolean().default(false),
      allowLinkLocal: z.boolean().default(false),
    })
    .prefault({}),
  /** How long data is kept after it is no longer needed (docs/retention.md). */
  retention: retentionSchema,
  /** The outbox worker of this instance. */
  delivery: z
    .strictObject({
      enabled: z.boolean().default(true),
      concurrency: z.number().int().min(1).max(1000).default(16),
      pollMs: z.number().int().min(10).max(60_000).default(250),
      leaseSeconds: z.number().min(1).max(3600).default(120),
      attemptTimeoutSeconds: z.number().min(1).max(600).default(60),
      shutdownGraceSeconds: z.number().min(0).max(600).default(10),
      /**
       * Runs the outbox worker in a thread of its own (issue 26), so a delivery burst does not slow intake and the
       * reverse. `false` keeps it on the intake's event loop: one thread less (memory), for a small town's load.
       */
      thread: z.boolean().default(true),
    })
    .default({
      enabled: true,
      concurrency: 16,
      pollMs: 250,
      leaseSeconds: 120,
      attemptTimeoutSeconds: 60,
      shutdownGraceSeconds: 10,
      thread: true,
    }),
  limits: z
    .strictObject({
      /** The whole request body, checked from Content-Length and again while reading. */
      maxBodyBytes: z
        .number()
        .int()
        .min(1024)
        .default(25 * MiB),
      maxJsonDepth: z.number().int().min(4).max(256).default(32),
      /** The longest string (or object key) anywhere in a JSON body; attachments in JSON are base64 strings. */
      maxStringLength: z.number().int().min(256).default(1_000_000),
      /** Attachments per submission, before any service's own, smaller limit. */
      maxAttachments: z.number().int().min(0).max(1000).default(100),
      idempotencyHours: z
        .number()
        .min(1)
        .max(24 * 30)
        .default(24),
      /** Each portal's token bucket, shared by all instances through the store. */
      portalRequestsPerSecond: z.number().min(0.01).max(100_000).default(50),
      portalBurst: z.number().int().min(1).max(100_000).default(200),
      /** Failed sign-ins (any token: portal, admin, mailbox, receipts) per client address, before 429. */
      failedSignInsPerMinute: z.number().int().min(1).max(10_000).default(10),
      /**
       * Bytes of submission bodies held in memory at once, by all requests together (each costs a few times
       * its size while it is decoded and sealed). A request that does not fit waits up to `bodyWaitSeconds`,
       * then gets 503 with Retry-After.
       */
      inFlightBodyBytes: z
        .number()
        .int()
        .min(1024)
        .default(32 * MiB),
      bodyWaitSeconds: z.number().min(0).max(120).default(15),
      /** A body that stops arriving for this long is answered 408 and its connection closed. */
      bodyIdleSeconds: z.number().min(1).max(300).default(15),
      /**
       * Threads for intake's CPU work (data validation, mapping, XSD, encryption, signing), started when
       * submissions arrive. Absent: one per core (`os.availableParallelism()`); 0: on the event loop itself. Each
       * thread costs 75–95 MB of peak RSS; on two cores one thread instead of two saved that, but in paired runs
       * lost about 40 % of the rate at 64 clients and raised p99 at half the rate by 28–135 % (README, issue 26), so
       * one per core stays the default and one fewer is the choice where memory is short.
       */
      intakeThreads: z.number().int().min(0).max(256).optional(),
      /**
       * Intake tasks waiting for a thread at most; beyond, a submission is answered 503 with Retry-After and
       * nothing of it is stored. Absent: 32 per core.
       */
      intakeQueue: z.number().int().min(1).max(100_000).optional(),
    })
    .prefault({}),
  /** Gateway key files (signing, escrow); absent: development keys created in the data dir (SQLite only). */
  keys: gatewayKeysConfigSchema.optional(),
  /** Policy for destinations' keys: minimum modulus, trust anchors for `x5c` chains. */
  recipientKeys: recipientKeyPolicyConfigSchema.default({ minModulusBits: 4096, trustAnchors: [] }),
  /**
   * Prometheus metrics at `/metrics`. The portal port faces the internet, so they are served either on a
   * separate admin address (`listen`, e.g. 127.0.0.1:9464) or on the main port behind a bearer `token`.
   * Absent: no metrics endpoint.
   */
  metrics: z
    .strictObject({
      listen: z
        .strictObject({ host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(0).max(65_535) })
        .optional(),
      token: secretRefSchema.optional(),
    })
    .refine((m) => m.listen !== undefined || m.token !== undefined, {
      message: 'set listen (a separate admin address) or token (bearer token on the main port)',
    })
    .optional(),
  /**
   * FIT-Connect destinations of the municipalities whose submissions this gateway picks up (the subscriber side,
   * src/sources/fitconnect/). Absent: nothing is picked up.
   */
  fitConnectSubscribers: fitConnectSubscribersSchema.default([]),
  product: z
    .strictObject({
      name: z.string().default('Amtsbote'),
      vendor: z.string().default('Amtsbote contributors'),
    })
    .default({ name: 'Amtsbote', vendor: 'Amtsbote contributors' }),
});

export type GatewayConfig = z.infer<typeof gatewaySchema>;
