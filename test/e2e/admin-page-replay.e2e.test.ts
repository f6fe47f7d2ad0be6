import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInPage } from '../helpers/admin-page.js';
import { launchBrowser, wcagViolations, type TestBrowser } from '../helpers/browser.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { adminCall, adminTokens, postJson } from '../helpers/http.js';
import { ownerOnlyKeyFile } from '../helpers/key-files.js';
import { eventually, startReceiver, type TestReceiver } from '../helpers/outbox.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { editRouting } from '../helpers/routing-edit.js';

const chemnitz = loadExamples().find(
  (e) => !e.invalid && e.envelope.regionKey === '145110000000' && e.envelope.serviceKey === '99050012104000',
)!;

let receiver: TestReceiver;
let config: ConfigCopy;
let dataDir: string;
let gateway: GatewayProcess;
let browser: TestBrowser;
let first: string;
let second: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-admin-replay-'));
  // Chemnitz's endpoint fails and gets one attempt only: each submission there is a dead letter at once.
  receiver = await startReceiver();
  receiver.respond = (_req, res) => res.writeHead(503).end('down');
  config = copyConfig({
    urls: { 'chemnitz-gewerbeamt': receiver.url + '/eingang' },
    retry: { 'chemnitz-gewerbeamt': { initialDelaySeconds: 0.01, maxDelaySeconds: 0.01, maxAttempts: 1 } },
    keys: {
      signing: ownerOnlyKeyFile(dataDir, 'gateway-signing-1'),
      escrow: ownerOnlyKeyFile(dataDir, 'gateway-escrow-1'),
    },
  });
  gateway = await spawnGateway({ AMTSBOTE_CONFIG: config.configFile, AMTSBOTE_DATA_DIR: dataDir });
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const accepted = await postJson(gateway.url, '/v1/submissions', chemnitz.envelope);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    ids.push((accepted.body.destinations as { messageId: string }[])[0]!.messageId);
  }
  [first, second] = ids as [string, string];
  await eventually(
    () => adminCall(gateway.url, 'GET', '/dead-letters', adminTokens.viewer),
    (r) => ids.every((id) => (r.body.deliveries as { id: string }[]).some((d) => d.id === id)),
    60_000,
  );
  browser = await launchBrowser();
}, 120_000);
// Each one may be missing when beforeAll failed half-way; what exists is stopped all the same.
afterAll(async () => {
  await (browser as TestBrowser | undefined)?.close();
  await (gateway as GatewayProcess | undefined)?.stop();
  await (receiver as TestReceiver | undefined)?.close();
  (config as ConfigCopy | undefined)?.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

const signedIn = (token: string) => signedInPage(browser, gateway.url, token);

const state = async (id: string) =>
  (await adminCall(gateway.url, 'GET', `/deliveries/${id}`, adminTokens.viewer)).body.state as string;

/** The admin page's dry run: clicks the button and returns the plan the API answered with. */
async function dryRunSelected(page: Page): Promise<{ planId: string; entries: { messageId: string }[] }> {
  const answer = page.waitForResponse(
    (r) => r.url().endsWith('/admin/v1/dead-letters/replay') && r.request().method() === 'POST',
  );
  await page.getByRole('button', { name: 'Probelauf für Auswahl' }).click();
  const response = await answer;
  expect(response.status()).toBe(200);
  return (await response.json()) as { planId: string; entries: { messageId: string }[] };
}

describe('the admin page replays exactly what its dry run showed', () => {
  it('drops the plan when the selection or the reroute switch changes, and says so when the API refuses a stale plan', async () => {
    const page = await signedIn(adminTokens.editor);
    await page.getByRole('link', { name: 'Zustellungen' }).click();
    const deadTable = page.locator('#dead-letters-table');
    await deadTable.getByRole('button', { name: first }).waitFor();
    await deadTable.getByRole('button', { name: second }).waitFor();
    const run = page.getByRole('button', { name: 'Jetzt erneut zustellen' });
    const outcome = page.locator('#replay-outcome');
    await page.getByLabel('Begründung', { exact: true }).fill('Fachverfahren Chemnitz wieder erreichbar');

    // A dry run of the first one: the button would execute exactly that plan.
    await page.getByRole('checkbox', { name: `${first} auswählen` }).check();
    const onlyFirst = await dryRunSelected(page);
    expect(onlyFirst.entries.map((e) => e.messageId)).toEqual([first]);
    await outcome.getByText(`${first}: chemnitz-gewerbeamt → chemnitz-gewerbeamt`).waitFor();
    expect(await run.isEnabled()).toBe(true);

    // Selecting a second one, then switching reroute on: the plan is gone, the button cannot replay both.
    await page.getByRole('checkbox', { name: `${second} auswählen` }).check();
    expect(await run.isDisabled()).toBe(true);
    await page.locator('#replay-plan-outdated').waitFor();
    await page.getByLabel('Nach dem aktuellen Routing neu zuordnen und neu versiegeln').check();
    expect(await run.isDisabled()).toBe(true);
    // switching it off again does not bring the old plan back
    await page.getByLabel('Nach dem aktuellen Routing neu zuordnen und neu versiegeln').uncheck();
    expect(await run.isDisabled()).toBe(true);
    expect(await state(first)).toBe('dead-lettered');
    expect(await state(second)).toBe('dead-lettered');

    // A new dry run of both; meanwhile the first is replayed (its own plan, through the API): the plan of both is
    // stale.
    const both = await dryRunSelected(page);
    expect(both.entries.map((e) => e.messageId).sort()).toEqual([first, second].sort());
    expect(await run.isEnabled()).toBe(true);
    receiver.respond = (_req, res) => res.writeHead(200).end('ok');
    const elsewhere = await adminCall(gateway.url, 'POST', '/dead-letters/replay', adminTokens.editor, {
      planId: onlyFirst.planId,
    });
    expect(elsewhere.status, JSON.stringify(elsewhere.body)).toBe(200);
    await run.click();
    await outcome.getByText('Seit dem Probelauf haben sich die Nachrichten geändert', { exact: false }).waitFor();
    expect(await run.isDisabled()).toBe(true);
    expect(await state(second)).toBe('dead-lettered');
    const stale = await adminCall(gateway.url, 'POST', '/dead-letters/replay', adminTokens.editor, {
      planId: both.planId,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.type).toBe('https://amtsbote.dev/problems/replay-plan-stale');
    expect(await wcagViolations(page), 'deliveries page with a refused plan').toEqual([]);

    // The next dry run shows what is still dead — the second only — and the button replays exactly that.
    const rest = await dryRunSelected(page);
    expect(rest.entries.map((e) => e.messageId)).toEqual([second]);
    await run.click();
    await outcome.getByText('1 Nachricht wird erneut zugestellt.').waitFor();
    const audit = await adminCall(gateway.url, 'GET', '/audit', adminTokens.viewer);
    expect(
      (audit.body.entries as { action: string; detail: Record<string, unknown> }[])
        .filter((e) => e.action === 'dead-letters.replay')
        .map((e) => e.detail),
    ).toEqual([
      expect.objectContaining({ planId: rest.planId, messageIds: [second] }),
      expect.objectContaining({ planId: onlyFirst.planId, messageIds: [first] }),
    ]);
    await eventually(
      () => state(second),
      (s) => s === 'delivered',
      30_000,
    );
    await page.close();
  });

  it('shows the diff before a rollback and refuses to roll back without a note', async () => {
    await editRouting(
      gateway.url,
      (r) => {
        r.rules.find((rule) => rule.region === '145110000000')!.validUntil = '2099-01-01';
      },
      'Zuständigkeit Chemnitz endet 2099',
    );
    const page = await signedIn(adminTokens.editor);
    await page.getByRole('link', { name: 'Routing' }).click();
    await page.getByRole('button', { name: 'Auf Version 1 zurücksetzen' }).click();
    const dialog = page.getByRole('dialog', { name: 'Auf Version 1 zurücksetzen?' });
    await dialog.waitFor();
    await dialog.getByText('Das Zurücksetzen auf Version 1 ändert gegenüber der geltenden Version 2:').waitFor();
    expect(await dialog.locator('#rollback-diff li').allTextContents()).toEqual([
      expect.stringMatching(
        /^Geänderte Regel: 99050012104000 × 145110000000 → .* bis 2099-01-01 ⇒ 99050012104000 × 145110000000 → [^⇒]*$/,
      ),
    ]);
    expect(await wcagViolations(page), 'routing page with the rollback dialog').toEqual([]);

    // An empty note keeps the dialog open and sends nothing.
    await dialog.getByRole('button', { name: 'Zurücksetzen' }).click();
    await dialog.getByText('Bitte begründen Sie die Änderung (mindestens 3 Zeichen).').waitFor();
    expect(await dialog.getByLabel('Begründung der Änderung').getAttribute('aria-invalid')).toBe('true');
    expect((await adminCall(gateway.url, 'GET', '/routing', adminTokens.viewer)).body.version).toBe(2);

    await dialog.getByLabel('Begründung der Änderung').fill('Befristung war ein Versehen');
    await dialog.getByRole('button', { name: 'Zurücksetzen' }).click();
    await page
      .locator('#routing-versions')
      .getByRole('cell', { name: 'Zurückgesetzt auf Version 1: Befristung war ein Versehen' })
      .waitFor();
    const routing = await adminCall(gateway.url, 'GET', '/routing', adminTokens.viewer);
    expect(routing.body.version).toBe(3);
    await page.close();
  });
});
