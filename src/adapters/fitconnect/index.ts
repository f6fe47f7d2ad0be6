import { guardedAgent } from '../guarded-agent.js';
import type { Dispatcher } from 'undici';
import { createKeyResolver, type KeyResolver } from '../../seal/index.js';
import { type Adapter, type AdapterContext, type DestinationFacts, retry } from '../types.js';
import { type FitConnectDirectories, fitConnectDirectories } from './destination-directory.js';
import { type FitConnectAdapterConfig, deliveryServiceJwksUrl } from './config.js';
import { deliverSubmission } from './deliver.js';
import { fitConnectKeyProviders } from './destination-keys.js';
import { eventKeys, pollEventLog } from './poll.js';
import { type FitConnectReason, attemptErrorReason } from './reasons.js';

export { kind, fitconnectAdapterConfigSchema, type FitConnectAdapterConfig } from './config.js';
export type { FitConnectReason } from './reasons.js';
export { fitConnectReferences, type FitConnectReferences } from './references.js';
export {
  type DestinationDirectory,
  type FitConnectDirectories,
  DestinationUnavailable,
  fitConnectDirectories,
} from './destination-directory.js';
export type { DestinationInfo, SubmissionSchemaOffer } from './destination-info.js';
export {
  type OfferDecision,
  type OfferMismatch,
  type WantedData,
  type WantedSubmission,
  decideOffer,
  leikaUrn,
  metadataVersionWritten,
  mismatchDetail,
  mismatchReport,
} from './destination-offer.js';
export { destinationKeyProvider, fitConnectKeyProviders, fitConnectKeySource } from './destination-keys.js';

/**
 * FIT-Connect sender: the message was sealed in FIT-Connect's format in the request; delivery creates the
 * submission at the delivery service, uploads the attachments, submits metadata and data (deliver.ts),
 * and the recipient's accept or reject is read from the case's event log (poll.ts).
 */
export function createFitConnectAdapter(
  config: FitConnectAdapterConfig,
  context: AdapterContext & { fitConnect?: FitConnectDirectories | undefined },
  destination: Pick<DestinationFacts, 'receiptKey'>,
): Adapter<FitConnectReason> {
  // The gateway shares one directory per destination between sealing (keys) and delivery; alone (tests, the
  // CLI), the adapter keeps its own and releases it on close.
  const directories = context.fitConnect ?? fitConnectDirectories(context);
  const directory = directories.directoryFor(config);
  const api = directory.api;
  const dispatcher = guardedAgent(context.outbound, {
    connectTimeoutMs: Math.min(config.timeoutMs, 10_000),
    headersTimeoutMs: config.timeoutMs,
    bodyTimeoutMs: config.timeoutMs,
  });
  const keys = eventKeys(eventKeyResolver(context, dispatcher, directories), {
    recipient: destination.receiptKey,
    deliveryServiceJwksUrl: deliveryServiceJwksUrl(config),
  });
  return {
    async deliver(message, state, signal, saveProgress) {
      try {
        return await deliverSubmission({
          config,
          api,
          directory,
          body: message.body,
          state,
          signal,
          saveProgress: saveProgress ?? (() => Promise.resolve()),
          now: context.now,
        });
      } catch (error) {
        // Network errors, timeouts, unreadable answers, a lost lease: the persisted progress lets the next attempt
        // resume.
        return retry(attemptErrorReason(error));
      }
    },
    poll: (state, signal) =>
      pollEventLog({ api, state, destinationId: config.destinationId, keys, signal, now: context.now }),
    pollIntervalMs: config.pollSeconds * 1000,
    close: async () => {
      await dispatcher.destroy();
      if (directories !== context.fitConnect) await directories.close();
    },
  };
}

/**
 * The resolver that verifies the event log's SETs: the gateway's own, or — where a caller gives none — one
 * that fetches key sets through the adapter's guarded dispatcher, so that key fetches obey the outbound
 * policy as deliveries do, and the destination's own keys through the adapter's directories.
 */
export function eventKeyResolver(
  context: AdapterContext,
  dispatcher: Dispatcher,
  directories: FitConnectDirectories,
): KeyResolver {
  return (
    context.keys ?? createKeyResolver({ dispatcher, keyProvider: fitConnectKeyProviders(directories, context.now) })
  );
}
