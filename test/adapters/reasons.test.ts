import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BrokerLeaseReleased, leaseBroker } from '../../src/adapters/amqp-connections.js';
import { AnswerTooLarge } from '../../src/adapters/fitconnect/http.js';
import { attemptErrorReason } from '../../src/adapters/fitconnect/reasons.js';
import { OutboundAddressRefused } from '../../src/adapters/guarded-agent.js';
import { projectRoot } from '../helpers/paths.js';

const adaptersDir = join(projectRoot, 'src/adapters');

describe('adapters report typed reasons', () => {
  it('throws no untyped Error anywhere in src/adapters: a reason is an outcome, or a class with a stable code', () => {
    const files = readdirSync(adaptersDir, { recursive: true, encoding: 'utf8' }).filter((path) =>
      path.endsWith('.ts'),
    );
    const untyped = files.flatMap((path) =>
      readFileSync(join(adaptersDir, path), 'utf8')
        .split('\n')
        .map((line, i) => ({ where: `${path}:${i + 1}`, line }))
        .filter(({ line }) => /\bnew Error\(/.test(line))
        .map(({ where, line }) => `${where}: ${line.trim()}`),
    );
    expect(untyped).toEqual([]);
  });

  it('names what a FIT-Connect attempt threw by a code, never by its message', () => {
    expect(attemptErrorReason(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }))).toBe(
      'timeout',
    );
    expect(attemptErrorReason(new SyntaxError('Unexpected token < in JSON'))).toBe('fitconnect-unreadable-answer');
    expect(attemptErrorReason(new AnswerTooLarge())).toBe('fitconnect-answer-too-large');
    expect(attemptErrorReason(new OutboundAddressRefused('loopback address'))).toBe(
      'AMTSBOTE_OUTBOUND_ADDRESS_REFUSED',
    );
    expect(
      attemptErrorReason(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })),
    ).toBe('ECONNREFUSED');
    expect(attemptErrorReason(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).toBe(
      'UND_ERR_SOCKET',
    );
    // A message is never a reason, and neither is a code of a form no adapter declares.
    expect(attemptErrorReason(new Error('fitconnect-events-http-500'))).toBe('fitconnect-attempt-error');
    expect(attemptErrorReason(Object.assign(new Error('odd'), { code: 'some free text' }))).toBe(
      'fitconnect-attempt-error',
    );
  });

  it('refuses a released broker lease with a typed error', async () => {
    const lease = leaseBroker('amqp://guest:guest@127.0.0.1:1', 100);
    await lease.release();
    const refused = await lease.connection().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BrokerLeaseReleased);
    expect(refused).toMatchObject({ code: 'amqp-lease-released' });
  });
});
