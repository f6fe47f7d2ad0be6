import type { ConfirmChannel } from 'amqplib';
import { readSecret } from '../lib/secret-ref.js';
import { type BrokerLease, closeWithin, leaseBroker } from './amqp-connections.js';
import { type AdapterDestination, type Adapter, type AdapterContext, delivered, retry } from './types.js';

export const kind = 'amqp';

/**
 * Queue: publishes the sealed message persistently to the destination's exchange, with the message id as
 * AMQP `messageId` and service, standard and destination as headers. Delivered only on the broker's
 * publisher confirm; a nack, a closed channel or a lost connection is a retry. The connection is shared
 * per broker (amqp-connections.ts) and opened again after the broker closed it (a restart); the confirm
 * channel is the destination's own.
 */
export function createAmqpAdapter(destination: AdapterDestination, context: AdapterContext): Adapter {
  const config = destination.adapter;
  if (config.kind !== 'amqp') throw new Error('not an amqp destination');
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
      try {
        channel ??= openChannel();
        const confirmChannel = await channel;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            reject(new Error('amqp-confirm-timeout'));
          }, config.timeoutMs);
          const abort = () => {
            clearTimeout(timer);
            reject(new Error('amqp-aborted'));
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
              if (error) reject(new Error('amqp-nack'));
              else resolve();
            },
          );
        });
        return delivered();
      } catch (error) {
        channel = undefined;
        const reason = error instanceof Error && error.message.startsWith('amqp-') ? error.message : 'amqp-connection';
        return retry(reason);
      }
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
