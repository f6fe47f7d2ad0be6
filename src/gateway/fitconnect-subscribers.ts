import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { guardedAgent } from '../adapters/guarded-agent.js';
import type { ConfigFiles } from '../config/load.js';
import type { IntakeContext } from '../intake/accept-submission.js';
import type { Logger } from '../lib/logger.js';
import { readSecret } from '../lib/secret-ref.js';
import type { Metrics } from '../observability/metrics.js';
import type { Store } from '../store/store.js';
import { checkSubmission } from '../sources/fitconnect/check-submission.js';
import { deliveryServiceKeys } from '../sources/fitconnect/delivery-service-keys.js';
import type { PickUpDestination } from '../sources/fitconnect/pick-up.js';
import type { DestinationPorts, MappedSubmission, ValidSubmission } from '../sources/fitconnect/pick-up-ports.js';
import { rejectProblem } from '../sources/fitconnect/reject-problems.js';
import { startSubscriber, type Subscriber } from '../sources/fitconnect/subscriber.js';
import { importDecryptionKeys, importSubscriberSigningKey } from '../sources/fitconnect/subscriber-keys.js';
import { acceptSet, rejectSet } from '../sources/fitconnect/subscriber-sets.js';
import { subscriberPortal } from '../sources/fitconnect/subscriber-portal.js';
import { loadInboundMappings, mapInbound } from '../sources/fitconnect/inbound-mapping.js';

/** The FIT-Connect destinations this gateway subscribes to, prepared before the gateway listens. */
export interface PreparedSubscribers {
  /** Each destination's callback secret, read once. */
  secretOf(destinationId: string): string | undefined;
  /** For the admin list: destination, region, client. */
  destinations: { destinationId: string; regionKey: string; client: string }[];
  /** Starts the pick-up loop once intake can take submissions. */
  start(intake: IntakeContext): Subscriber;
  /** Frees the inbound mappings' compiled schemas. */
  close(): void;
}

/**
 * Reads and imports every subscribed destination's keys (a key that cannot be read stops the start, as the
 * gateway's own keys do) and binds the checks, SETs and the inbound mapping to each. Undefined when
 * `fitConnectSubscribers` is empty: then nothing is picked up and no callback route exists.
 */
export async function prepareFitConnectSubscribers(deps: {
  config: ConfigFiles;
  store: Store;
  routingVersion: () => number;
  metrics: Metrics;
  clock: () => Date;
  logger: Logger;
}): Promise<PreparedSubscribers | undefined> {
  const { config } = deps;
  const clients = config.gateway.fitConnectSubscribers;
  if (clients.length === 0) return undefined;
  // `mappings/inbound/`: per data schema, how the received data become one of the gateway's services.
  const mappings = await loadInboundMappings(
    resolve(config.paths.mappingsDir, 'inbound'),
    new Set(config.services.keys()),
    { schemaDirs: { xsdDir: config.paths.xsdDir, officialSchemasDir: config.paths.officialSchemasDir } },
  );
  const map = async (valid: ValidSubmission): Promise<MappedSubmission | undefined> => {
    const mapping = mappings.find(valid.dataSchema.schemaUri, valid.dataSchema.mimeType);
    if (!mapping) return undefined;
    return mapInbound(mapping, { data: valid.data, metadata: valid.metadata, attachments: valid.attachments });
  };
  const keyText = (file: string) => {
    const path = resolve(config.configDir, file);
    return { text: readFileSync(path, 'utf8'), origin: path };
  };
  const destinations = new Map<string, Omit<PickUpDestination, 'destinationId'>>();
  const secrets = new Map<string, string>();
  const listed: PreparedSubscribers['destinations'] = [];
  for (const client of clients) {
    const dispatcher = guardedAgent(config.gateway.outbound, {
      connectTimeoutMs: client.timeoutMs,
      headersTimeoutMs: client.timeoutMs,
      bodyTimeoutMs: client.timeoutMs,
    });
    const deliveryServiceKey = deliveryServiceKeys({
      jwksUrl: client.deliveryServiceJwksUrl ?? `${client.submissionApiUrl.replace(/\/+$/, '')}/.well-known/jwks.json`,
      dispatcher,
      timeoutMs: client.timeoutMs,
      now: deps.clock,
    });
    for (const d of client.destinations) {
      const destinationId = d.destinationId.toLowerCase();
      const decryptionKeys = await importDecryptionKeys(d.decryptionKeys.map(keyText));
      const signingKey = await importSubscriberSigningKey(keyText(d.signingKey));
      if (d.callbackSecret) secrets.set(destinationId, readSecret(d.callbackSecret, config.configDir));
      const ports: DestinationPorts = {
        check: (fetched, eventLog) =>
          checkSubmission(fetched, {
            eventLog,
            deliveryServiceKey,
            decryptionKeys,
            acceptedSchemas: d.dataSchemas,
            now: deps.clock(),
          }),
        map,
        acceptSet: (fetched, valid) =>
          acceptSet(
            { destinationId: d.destinationId, submissionId: fetched.submissionId, caseId: fetched.caseId, signingKey },
            valid.authenticationTags,
          ),
        rejectSet: (fetched, problems) =>
          rejectSet(
            { destinationId: d.destinationId, submissionId: fetched.submissionId, caseId: fetched.caseId, signingKey },
            problems,
          ),
        dataProblem: (reason, detail) =>
          rejectProblem(reason === 'data-syntax' ? 'data-syntax' : 'data-schema-violation', detail, 'data'),
      };
      destinations.set(d.destinationId, {
        regionKey: d.regionKey,
        portal: subscriberPortal(d),
        ports,
      });
      listed.push({ destinationId: d.destinationId, regionKey: d.regionKey, client: client.name });
    }
  }
  return {
    secretOf: (destinationId) => secrets.get(destinationId.toLowerCase()),
    destinations: listed,
    close: () => {
      mappings.close();
    },
    start: (intake) =>
      startSubscriber({
        clients,
        destinations,
        store: deps.store,
        intake,
        routingVersion: deps.routingVersion,
        configDir: config.configDir,
        outbound: config.gateway.outbound,
        clock: deps.clock,
        logger: deps.logger,
        owner: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
        onOutcome: (destinationId, outcome) => {
          deps.metrics.recordInboundPickUp(destinationId, outcome);
        },
      }),
  };
}
