import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { zodConfigError } from '../../src/config/config-error.js';

describe('zodConfigError', () => {
  it('points at an unknown key itself and words each finding like the API does', () => {
    const parsed = z
      .strictObject({ listen: z.strictObject({ port: z.int() }) })
      .safeParse({ listen: {}, lsiten: { port: 1 } });
    const error = zodConfigError('gateway.yaml', parsed.error!);
    expect(error.errors).toEqual([
      { pointer: '/listen/port', detail: 'is required', code: 'required' },
      { pointer: '/lsiten', detail: 'is not a known field', code: 'unknown-field' },
    ]);
    expect(error.message).toBe('gateway.yaml is invalid:\n  /listen/port is required\n  /lsiten is not a known field');
  });
});
