import { describe, expect, it } from 'vitest';
import { statusView } from '../../src/intake/submission-view.js';
import type { StoredEvent, SubmissionRecord } from '../../src/store/types.js';

const record: SubmissionRecord = {
  id: 's-1',
  portalId: 'amt24',
  serviceKey: '99050012104000',
  regionKey: '146120000000',
  status: 'delivered',
  test: false,
  dataHmac: 'hmac-sha512:x',
  attachments: [],
  receivedAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:02:00.000Z',
  deliveries: [
    {
      id: 'm-1',
      destinationId: 'dresden-gewerbeamt',
      state: 'delivered',
      attempts: 1,
      createdAt: '2026-11-25T10:00:00.000Z',
      updatedAt: '2026-11-25T10:01:00.000Z',
    },
    {
      id: 'm-2',
      destinationId: 'statistik-sachsen',
      state: 'delivered',
      attempts: 1,
      createdAt: '2026-11-25T10:00:00.000Z',
      updatedAt: '2026-11-25T10:02:00.000Z',
    },
  ],
};
const event = (seq: number, at: string, type: string, data: Record<string, unknown>): StoredEvent => ({
  seq,
  at,
  type,
  data,
  prevHash: 'p',
  hash: 'h',
});

describe('statusView', () => {
  it('names the destination, its message and the status it reached on every delivery entry of the history', () => {
    const view = statusView(
      record,
      [
        event(1, '2026-11-25T10:00:00.000Z', 'received', {
          status: 'pending',
          destinations: ['dresden-gewerbeamt', 'statistik-sachsen'],
          routingVersion: 1,
          rule: 0,
        }),
        // The first delivery leaves the submission pending (the other destination is not there yet): no status change.
        event(2, '2026-11-25T10:01:00.000Z', 'delivery', {
          destinationId: 'dresden-gewerbeamt',
          messageId: 'm-1',
          state: 'delivered',
          via: 'mailbox',
        }),
        event(3, '2026-11-25T10:02:00.000Z', 'delivery', {
          destinationId: 'statistik-sachsen',
          messageId: 'm-2',
          state: 'delivered',
          status: 'delivered',
        }),
      ],
      'https://gateway.example/',
    );
    expect(view.history).toEqual([
      { seq: 1, at: '2026-11-25T10:00:00.000Z', type: 'received', status: 'pending', destination: undefined },
      {
        seq: 2,
        at: '2026-11-25T10:01:00.000Z',
        type: 'delivery',
        status: undefined,
        destination: { destinationId: 'dresden-gewerbeamt', messageId: 'm-1', status: 'delivered' },
      },
      {
        seq: 3,
        at: '2026-11-25T10:02:00.000Z',
        type: 'delivery',
        status: 'delivered',
        destination: { destinationId: 'statistik-sachsen', messageId: 'm-2', status: 'delivered' },
      },
    ]);
  });

  it("carries the ids a destination's transport assigned on that destination only", () => {
    const fitConnect = {
      submissionId: '7f4c1a52-3f0e-4b8e-9d38-0c3f2a1b6e01',
      caseId: 'c2d9e6b4-1a7f-4e3c-8b52-9f0d4a6e3b12',
    };
    const view = statusView(record, [], 'https://gateway.example/', {
      references: new Map([['m-1', { fitConnect }]]),
    });
    expect(view.destinations[0]).toMatchObject({ destinationId: 'dresden-gewerbeamt', fitConnect });
    expect(view.destinations[1]).not.toHaveProperty('fitConnect');
    expect(statusView(record, [], 'https://gateway.example/').destinations[0]).not.toHaveProperty('fitConnect');
  });
});
