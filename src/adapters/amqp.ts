import type { ConfirmChannel } from 'amqplib';
import { readSecret } from '../lib/secret-ref.js';
import { type BrokerLease, closeWithin, leaseBroker } from './amqp-connections.js';
import { type Adapter, type AdapterContext, type DestinationFacts, delivered, retry } from './types.js';

// The config schema lives apart from the runtime, so loading the configuration loads no adapter code.
import { kind, amqpAdapterConfigSchema, type AmqpAdapterConfig } from './config/amqp.js';
export { kind, amqpAdapterConfigSchema, type AmqpAdapterConfig };

/**
 * Why a publish was not confirmed: no confirm in time, the attempt aborted, the broker's nack, or no
 * channel (the broker unreachable, the connection or channel lost, the URL's secret unreadable).
 */
export type AmqpReason = 'amqp-confirm-timeout' | 'amqp-aborted' | 'amqp-nack' | 'amqp-connection';

/**
 * Queue: publishes the sealed message persistently to the destination's exchange, with the message id as
 * AMQP `messageId` and service, standard and destination as headers. Delivered only on the broker's
 * publisher confirm; a nack, a closed channel or a lost connection is a retry. The connection is shared
 * per broker (amqp-connections.ts) and opened again after the broker closed it (a restart); the confirm
 * channel is the destination's own.
 */
export function createAmqpAdapter(
  config: AmqpAdapterConfig,
  context: AdapterContext,
  destination: Pick<DestinationFacts, 'standard'>,
): Adapter<AmqpReason> {
  // Leased on first use, so that a secret that cannot be read yet is a retry, not a failed start.
  let broker: BrokerLease | undefined;
  let channel: Promise<ConfirmChannel> | undefined;

  const openChannel = (): Promise<ConfirmChannel> => {
    broker ??= leaseBroker(readSecret(config.url, context.configDir), Math.min(config.timeoutMs, 10_000));
    const opening: Promise<ConfirmChannel> = broker.connection().then(async (connection) => {
      const opened = await connection.createConfirmChannel();
      // A channel the broker closed (a missing exchange, a lost connection) is gone for good: open another next time.
      const forget = () => {
        if (channel === opening) channel = undefined;
      };
      opened.on('close', forget);
      opened.on('error', forget);
      return opened;
    });
    return opening;
  };

  return {
    async deliver(message, _state, signal) {
      let confirmChannel: ConfirmChannel;
      try {
        channel ??= openChannel();
        confirmChannel = await channel;
      } catch {
        channel = undefined;
        return retry('amqp-connection');
      }
      // Settles with the reason the publish was not confirmed, or undefined on the broker's ack.
      let unconfirmed: AmqpReason | undefined;
      try {
        unconfirmed = await new Promise<AmqpReason | undefined>((resolve) => {
          const timer = setTimeout(() => {
            resolve('amqp-confirm-timeout');
          }, config.timeoutMs);
          const abort = () => {
            clearTimeout(timer);
            resolve('amqp-aborted');
          };
          signal.addEventListener('abort', abort, { once: true });
          confirmChannel.publish(
            config.exchange,
            config.routingKey,
            Buffer.from(message.body, 'utf8'),
            {
              persistent: true,
              messageId: message.messageId,
              contentType: message.contentType,
              timestamp: Math.floor(context.now().getTime() / 1000),
              headers: {
                'amtsbote-service': message.serviceKey,
                'amtsbote-standard': `${destination.standard.name} ${destination.standard.version} ${destination.standard.message}`,
                'amtsbote-destination': message.destinationId,
              },
            },
            (error: unknown) => {
              clearTimeout(timer);
              signal.removeEventListener('abort', abort);
              resolve(error ? 'amqp-nack' : undefined);
            },
          );
        });
      } catch {
        // publish() throws when the channel closed under it.
        unconfirmed = 'amqp-connection';
      }
      if (unconfirmed === undefined) return delivered();
      channel = undefined;
      return retry(unconfirmed);
    },
    async close() {
      const current = channel;
      channel = undefined;
      const opened = await current?.catch(() => undefined);
      if (opened) await closeWithin(opened, 2000);
      await broker?.release();
    },
  };
}
