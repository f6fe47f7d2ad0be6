import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { Destination } from '../config/routing-schema.js';
import { readSecret } from '../config/secret-ref.js';
import { type Adapter, type AdapterContext, delivered, retry } from './types.js';

export const kind = 'amqp';

interface Link {
  connection: ChannelModel;
  channel: ConfirmChannel;
}

/**
 * Queue: publishes the sealed message persistently to the destination's exchange, with the message id as
 * AMQP `messageId` and service, standard and destination as headers. Delivered only on the broker's
 * publisher confirm; a nack, a closed channel or a lost connection is a retry. One connection per
 * destination, opened again after the broker closed it (restart, a channel error).
 */
export function createAmqpAdapter(destination: Destination, context: AdapterContext): Adapter {
  const config = destination.adapter;
  if (config.kind !== 'amqp') throw new Error('not an amqp destination');
  let link: Promise<Link> | undefined;

  const open = async (): Promise<Link> => {
    const connection = await connect(readSecret(config.url, context.configDir), { timeout: Math.min(config.timeoutMs, 10_000) });
    const forget = () => {
      link = undefined;
    };
    connection.on('close', forget);
    connection.on('error', forget);
    const channel = await connection.createConfirmChannel();
    // A channel the broker closes (e.g. a missing exchange) is gone for good: start over next time.
    channel.on('close', () => {
      forget();
      connection.close().catch(() => undefined);
    });
    channel.on('error', forget);
    return { connection, channel };
  };

  return {
    async deliver(message, _state, signal) {
      try {
        link ??= open();
        const { channel } = await link;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            reject(new Error('amqp-confirm-timeout'));
          }, config.timeoutMs);
          const abort = () => {
            clearTimeout(timer);
            reject(new Error('amqp-aborted'));
          };
          signal.addEventListener('abort', abort, { once: true });
          channel.publish(
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
        link = undefined;
        const reason = error instanceof Error && error.message.startsWith('amqp-') ? error.message : 'amqp-connection';
        return retry(reason);
      }
    },
    async close() {
      const current = link;
      link = undefined;
      if (current) await (await current.catch(() => undefined))?.connection.close().catch(() => undefined);
    },
  };
}
