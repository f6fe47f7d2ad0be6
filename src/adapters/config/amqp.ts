import { z } from 'zod';
import { secretRefSchema } from '../../lib/secret-ref.js';

export const kind = 'amqp';

/** Message queue (RabbitMQ, AMQP 0-9-1): the sealed message is published to an exchange. */
export const amqpAdapterConfigSchema = z.strictObject({
  kind: z.literal(kind),
  /** The broker URL (`amqp://user:password@host:5672/vhost`) holds credentials: a reference, never the URL itself. */
  url: secretRefSchema,
  exchange: z.string().max(255),
  routingKey: z.string().max(255),
  /** How long to wait for the broker's publisher confirm. */
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
});

export type AmqpAdapterConfig = z.output<typeof amqpAdapterConfigSchema>;
