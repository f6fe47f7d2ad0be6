import { describe, expect, it } from 'vitest';
import { fitConnectReferences } from '../../src/adapters/fitconnect/references.js';
import { adapterTable, kindsWithReferences, transportReferences } from '../../src/adapters/index.js';

const submissionId = '7f4c1a52-3f0e-4b8e-9d38-0c3f2a1b6e01';
const caseId = 'c2d9e6b4-1a7f-4e3c-8b52-9f0d4a6e3b12';

describe('FIT-Connect ids from the persisted state', () => {
  it('reads the submission and case id once the delivery service assigned them, mid-upload or submitted', () => {
    expect(fitConnectReferences({ submissionId, caseId, uploaded: [], submitted: false, eventsRead: 0 })).toEqual({
      fitConnect: { submissionId, caseId },
    });
    expect(fitConnectReferences({ submissionId, caseId, uploaded: ['a'], submitted: true, eventsRead: 3 })).toEqual({
      fitConnect: { submissionId, caseId },
    });
  });

  it('makes nothing up: no ids before creation, after the service dropped the submission, or for foreign state', () => {
    expect(fitConnectReferences(undefined)).toBeUndefined();
    expect(fitConnectReferences({})).toBeUndefined();
    expect(fitConnectReferences({ submissionId })).toBeUndefined();
    expect(fitConnectReferences({ url: 'https://portal.example/status' })).toBeUndefined();
    expect(fitConnectReferences({ submissionId: 'not-a-uuid', caseId })).toBeUndefined();
    expect(fitConnectReferences('text')).toBeUndefined();
  });

  it('never passes on anything of the state but the two ids', () => {
    const references = fitConnectReferences({ submissionId, caseId, uploaded: ['a'], submitted: true, eventsRead: 2 });
    expect(Object.keys(references!.fitConnect).sort()).toEqual(['caseId', 'submissionId']);
  });
});

describe("the adapter table's transport references", () => {
  it('are read by the row of the kind: FIT-Connect has them, the other kinds none', () => {
    const state = { submissionId, caseId, submitted: true };
    expect(transportReferences('fitconnect', state)).toEqual({ fitConnect: { submissionId, caseId } });
    for (const row of adapterTable.filter((r) => r.kind !== 'fitconnect'))
      expect(transportReferences(row.kind, state), row.kind).toBeUndefined();
    expect(transportReferences('callback', state)).toBeUndefined();
    expect(transportReferences('fitconnect', undefined)).toBeUndefined();
    expect([...kindsWithReferences]).toEqual(['fitconnect']);
  });
});
