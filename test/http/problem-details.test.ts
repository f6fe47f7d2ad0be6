import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { adminCall, adminTokens, getJson, postJson } from '../helpers/http.js';
import { expectWrittenForPeople } from '../helpers/problem-wording.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

const problems = 'https://amtsbote.dev/problems/';
type Problem = { type: string; title: string; detail: string; errors?: { pointer: string; detail: string }[] };
/**
 * Pointer and English detail of each field error: the wording is this file's subject (codes: field-error-code.test.ts).
 */
const wording = (errors: unknown) =>
  (errors as { pointer: string; detail: string }[] | undefined)?.map(({ pointer, detail }) => ({ pointer, detail }));

describe('problem details', () => {
  it('word a broken envelope for the person who fixes it, without repeating the title', async () => {
    const res = await postJson(gw.url, '/v1/submissions', { serviceKey: 99050012104000, extra: true });
    const body = res.body as unknown as Problem;
    expect(body.type).toBe(problems + 'invalid-envelope');
    expect(wording(body.errors)).toEqual([
      { pointer: '/serviceKey', detail: 'must be a string' },
      { pointer: '/regionKey', detail: 'is required' },
      { pointer: '/data', detail: 'is required' },
      { pointer: '/extra', detail: 'is not a known field' },
    ]);
    expect(body.detail).toBe(
      'The envelope has 4 fields to fix: /serviceKey must be a string; /regionKey is required; /data is required; and 1 more.',
    );
    expectWrittenForPeople(body);
  });

  it('word data errors of the service schema in the same voice', async () => {
    const invalid = loadExamples().find((e) => e.invalid && e.file === 'chemnitz-invalid-missing-cause.json')!;
    const res = await postJson(gw.url, '/v1/submissions', invalid.envelope);
    expect(res.body.type).toBe(problems + 'invalid-data');
    expect(wording(res.body.errors)).toEqual([{ pointer: '/data/cause', detail: 'is required' }]);
    expectWrittenForPeople(res.body as unknown as Problem);
  });

  it("give the admin API's bodies and queries problem types of their own, not the portal's envelope", async () => {
    const portal = await adminCall(gw.url, 'POST', '/portals', adminTokens.editor, { id: 'p', bogus: 1 });
    expect(portal.status).toBe(400);
    expect(portal.body).toMatchObject({
      type: problems + 'invalid-request',
      title: 'The request body does not have the expected form',
    });
    expect(wording(portal.body.errors)).toEqual(
      expect.arrayContaining([
        { pointer: '/name', detail: 'is required' },
        { pointer: '/bogus', detail: 'is not a known field' },
      ]),
    );
    expectWrittenForPeople(portal.body as unknown as Problem);

    const filter = await adminCall(gw.url, 'GET', '/deliveries?state=lost', adminTokens.viewer);
    expect(filter.body).toMatchObject({
      type: problems + 'invalid-query',
      errors: [
        { pointer: '/state', detail: expect.stringMatching(/^must be one of "deferred", "pending"/) as unknown },
      ],
    });
    expectWrittenForPeople(filter.body as unknown as Problem);

    const res = await fetch(gw.url + '/admin/v1/routing/dry-run', {
      method: 'POST',
      headers: { authorization: `Bearer ${adminTokens.editor}`, 'content-type': 'application/json' },
      body: '{"serviceKey": ',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: problems + 'invalid-json', detail: 'The body is not valid JSON.' });
  });

  it('point at an unknown key of an admin body, even where the body may take several forms', async () => {
    const dryRun = await adminCall(gw.url, 'POST', '/routing/dry-run', adminTokens.viewer, {
      serviceKey: '99050012104000',
      regionKey: '146120000000',
      bogus: 1,
    });
    expect(dryRun.body.type).toBe(problems + 'invalid-request');
    expect(wording(dryRun.body.errors)).toEqual([{ pointer: '/bogus', detail: 'is not a known field' }]);
    const neither = await adminCall(gw.url, 'POST', '/routing/dry-run', adminTokens.viewer, { bogus: 1 });
    const pointers = (neither.body.errors as { pointer: string }[]).map((e) => e.pointer);
    expect(pointers).toContain('/bogus');
    expect(pointers).not.toContain('');
    expectWrittenForPeople(neither.body as unknown as Problem);
  });

  it("answer a portal's bad list query with invalid-query and a pointer at the parameter", async () => {
    const res = await getJson(gw.url, '/v1/submissions?since=yesterday&after=x');
    expect(res.body).toMatchObject({
      type: problems + 'invalid-query',
      errors: [{ pointer: '/since', detail: 'must be a date and time with a time zone, e.g. 2026-11-25T10:00:00Z' }],
    });
    const cursor = await getJson(gw.url, '/v1/submissions?after=not-a-cursor');
    expect(cursor.body).toMatchObject({
      type: problems + 'invalid-query',
      errors: [{ pointer: '/after', detail: 'is not a cursor from this API' }],
    });
  });
});

describe('GET /v1/submissions?since=', () => {
  it('compares the instant `since` names, whatever its offset or precision, with the last change', async () => {
    const example = loadExamples().find((e) => !e.invalid)!;
    const accepted = await postJson(gw.url, '/v1/submissions', example.envelope);
    const id = accepted.body.submissionId as string;
    const status = await getJson(gw.url, `/v1/submissions/${id}`);
    const updatedAt = new Date(status.body.updatedAt as string);
    // The same instant two hours east of UTC, and the next millisecond.
    const east = (d: Date) => new Date(d.getTime() + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    const listed = async (since: string) => {
      const res = await getJson(gw.url, `/v1/submissions?limit=500&since=${encodeURIComponent(since)}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.submissions as { submissionId: string }[]).map((s) => s.submissionId);
    };
    expect(await listed(east(updatedAt))).toContain(id);
    expect(await listed(east(new Date(updatedAt.getTime() + 1)))).not.toContain(id);
    // Whole seconds, no milliseconds: the start of the second the last change fell in.
    expect(
      await listed(new Date(Math.floor(updatedAt.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z')),
    ).toContain(id);
  });
});
