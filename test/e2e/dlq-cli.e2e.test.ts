import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../helpers/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { adminCall, adminTokens, postJson } from '../helpers/http.js';
import { eventually } from '../helpers/outbox.js';
import { runCliAsync } from '../helpers/process.js';
import { breakDestination, editRouting } from '../helpers/routing-edit.js';

const chemnitz = loadExamples().find(
  (e) => !e.invalid && e.envelope.regionKey === '145110000000' && e.envelope.serviceKey === '99050012104000',
)!;

let gw: TestGateway;
let first: string;
let second: string;
beforeAll(async () => {
  gw = await startTestGateway();
  await editRouting(
    gw.url,
    (r) => {
      breakDestination(r, 'chemnitz-gewerbeamt');
    },
    'Chemnitz: Endpunkt außer Betrieb',
  );
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const accepted = await postJson(gw.url, '/v1/submissions', chemnitz.envelope);
    expect(accepted.status).toBe(202);
    ids.push((accepted.body.destinations as { messageId: string }[])[0]!.messageId);
  }
  [first, second] = ids as [string, string];
  await eventually(
    () => adminCall(gw.url, 'GET', '/dead-letters', adminTokens.viewer),
    (r) => ids.every((id) => (r.body.deliveries as { id: string }[]).some((d) => d.id === id)),
    30_000,
  );
}, 60_000);
afterAll(async () => {
  await (gw as TestGateway | undefined)?.stop();
});

/** The CLI on the running gateway's SQLite file (WAL: both may open it). */
const dlq = (...args: string[]) =>
  runCliAsync(['dlq', 'replay', ...args], { AMTSBOTE_DATA_DIR: gw.dataDir, USER: 'operator' });
const planIdIn = (stdout: string) =>
  /^plan ([0-9a-f-]{36}), valid until .*; to execute exactly this: amtsbote dlq replay --plan \1$/m.exec(stdout)?.[1];
const state = async (id: string) =>
  (await adminCall(gw.url, 'GET', `/deliveries/${id}`, adminTokens.viewer)).body.state as string;

describe('amtsbote dlq replay', () => {
  it('makes a plan when naming dead letters, executes only a plan id, and refuses a plan that has gone stale', async () => {
    const one = await dlq('--ids', first, '--note', 'Fachverfahren wieder erreichbar');
    expect(one.status, one.stderr).toBe(0);
    expect(one.stdout).toContain(`${first}  chemnitz-gewerbeamt\n`);
    expect(one.stdout).toContain('dry run: 1 would be replayed; nothing changed');
    const onePlan = planIdIn(one.stdout);
    expect(onePlan).toBeDefined();
    expect(await state(first)).toBe('dead-lettered');

    const all = await dlq('--destination', 'chemnitz-gewerbeamt', '--note', 'alle Chemnitzer', '--dry-run');
    expect(all.status, all.stderr).toBe(0);
    expect(all.stdout).toContain(first);
    expect(all.stdout).toContain(second);
    const allPlan = planIdIn(all.stdout);

    const done = await dlq('--plan', onePlan!);
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/^replayed 1$/m);
    const audit = await adminCall(gw.url, 'GET', '/audit', adminTokens.viewer);
    expect(
      (audit.body.entries as { action: string; actor: string; detail: Record<string, unknown> }[])[0],
    ).toMatchObject({
      action: 'dead-letters.replay',
      actor: 'operator',
      detail: { planId: onePlan, messageIds: [first], note: 'Fachverfahren wieder erreichbar' },
    });

    // The plan for both was made before the first was replayed.
    const stale = await dlq('--plan', allPlan!);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(/have changed .* Nothing was replayed\./);
    expect(await state(second)).toBe('dead-lettered');
    const twice = await dlq('--plan', onePlan!);
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain('executed already');
  });

  it('says what is missing: a selection or a plan, a note for a plan, nothing else with --plan', async () => {
    const nothing = await dlq();
    expect(nothing.status).toBe(1);
    expect(nothing.stderr).toContain('--plan <id>');
    const noNote = await dlq('--ids', second);
    expect(noNote.status).toBe(1);
    expect(noNote.stderr).toContain('--note is required');
    const mixed = await dlq('--plan', 'x', '--ids', second);
    expect(mixed.status).toBe(1);
    expect(mixed.stderr).toContain('--plan executes a plan as it was made');
    const unknown = await dlq('--plan', '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('No replay plan with this id was made by you');
    expect(await state(second)).toBe('dead-lettered');
  });
});
