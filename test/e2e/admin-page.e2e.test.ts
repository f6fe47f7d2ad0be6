import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, wcagViolations, type TestBrowser } from '../helpers/browser.js';
import { copyConfig, type ConfigCopy } from '../helpers/config-copy.js';
import { loadExamples } from '../helpers/examples.js';
import { adminCall, adminTokens, postJson } from '../helpers/http.js';
import { eventually, startReceiver, type TestReceiver } from '../helpers/outbox.js';
import { ownerOnlyKeyFile } from '../helpers/key-files.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';
import { processBoundMs } from '../helpers/wait.js';

const chemnitz = loadExamples().find((e) => !e.invalid && e.envelope.regionKey === '145110000000' && e.envelope.serviceKey === '99050012104000')!;

let receiver: TestReceiver;
let config: ConfigCopy;
let dataDir: string;
let gateway: GatewayProcess;
let browser: TestBrowser;
let deadMessageId: string;


beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-admin-page-'));
  // Chemnitz's endpoint fails until the test repairs it, and gets one attempt only: a dead letter at once.
  receiver = await startReceiver();
  receiver.respond = (_req, res) => res.writeHead(503).end('down');
  config = copyConfig({
    urls: { 'chemnitz-gewerbeamt': receiver.url + '/eingang' },
    retry: { 'chemnitz-gewerbeamt': { initialDelaySeconds: 0.01, maxDelaySeconds: 0.01, maxAttempts: 1 } },
    // two signing keys, so that the keys page has one to activate
    keys: { signing: [ownerOnlyKeyFile(dataDir, 'gateway-signing-1'), ownerOnlyKeyFile(dataDir, 'gateway-signing-2')], escrow: ownerOnlyKeyFile(dataDir, 'gateway-escrow-1') },
  });
  gateway = await spawnGateway({ AMTSBOTE_CONFIG: config.configFile, AMTSBOTE_DATA_DIR: dataDir });
  const accepted = await postJson(gateway.url, '/v1/submissions', chemnitz.envelope);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  deadMessageId = (accepted.body.destinations as { messageId: string }[])[0]!.messageId;
  await eventually(
    () => adminCall(gateway.url, 'GET', '/dead-letters', adminTokens.viewer),
    (r) => (r.body.deliveries as { id: string }[]).some((d) => d.id === deadMessageId),
    processBoundMs,
  );
  browser = await launchBrowser();
});
// Each one may be missing when beforeAll failed half-way; what exists is stopped all the same.
afterAll(async () => {
  await (browser as TestBrowser | undefined)?.close();
  await (gateway as GatewayProcess | undefined)?.stop();
  await (receiver as TestReceiver | undefined)?.close();
  (config as ConfigCopy | undefined)?.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

async function signedIn(token: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(gateway.url + '/admin/');
  await page.getByLabel('Admin-Token').fill(token);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.getByRole('heading', { level: 1, name: 'Übersicht' }).waitFor();
  return page;
}

const pages = [
  ['overview', 'Übersicht'],
  ['routing', 'Routing'],
  ['deliveries', 'Zustellungen'],
  ['destinations', 'Ziele'],
  ['keys', 'Schlüssel'],
  ['audit', 'Protokoll'],
] as const;

describe('the admin page', () => {
  it('signs in with the keyboard alone and keeps the token out of the URL', async () => {
    const page = await browser.newPage();
    await page.goto(gateway.url + '/admin/');
    await page.getByLabel('Admin-Token').waitFor();
    // skip link, language, then the token field
    for (let i = 0; i < 10; i++) {
      if (await page.evaluate('document.activeElement && document.activeElement.id') === 'token') break;
      await page.keyboard.press('Tab');
    }
    await page.keyboard.type(adminTokens.editor);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Übersicht' }).waitFor();
    expect(page.url()).not.toContain(adminTokens.editor);
    expect(await page.evaluate('Object.keys(localStorage).some((k) => localStorage.getItem(k).includes("admin-demo-token"))')).toBe(false);
    // on to the routing page by keyboard: its heading takes the focus
    const routingLink = page.getByRole('link', { name: 'Routing' });
    await routingLink.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Routing' }).waitFor();
    await eventually(() => page.evaluate<string>('document.activeElement && document.activeElement.tagName'), (tag) => tag === 'H1', processBoundMs);
    await page.close();
  });

  it('refuses a wrong token and records the failed sign-in in the audit log', async () => {
    const page = await browser.newPage();
    await page.goto(gateway.url + '/admin/');
    await page.getByLabel('Admin-Token').fill('not-a-token');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await expect.poll(() => page.locator('#sign-in-error').textContent()).toBe('Das Token ist nicht gültig.');
    const audit = await adminCall(gateway.url, 'GET', '/audit', adminTokens.viewer);
    expect((audit.body.entries as { action: string; detail: Record<string, unknown> }[]).find((e) => e.action === 'admin.sign-in-failed')?.detail).toEqual({ reason: 'unknown-token', path: '/me', client: expect.stringMatching(/^[\w-]{24}$/) as unknown });
    await page.close();
  });

  it('finds a dead letter, replays it after a dry run and shows it delivered', async () => {
    receiver.respond = (_req, res) => res.writeHead(200).end('ok');
    const page = await signedIn(adminTokens.editor);
    await page.getByRole('link', { name: 'Zustellungen' }).click();
    const deadTable = page.locator('#dead-letters-table');
    await deadTable.getByRole('button', { name: deadMessageId }).waitFor();
    await page.getByRole('checkbox', { name: `${deadMessageId} auswählen` }).check();
    await page.getByLabel('Begründung', { exact: true }).fill('Fachverfahren Chemnitz wieder erreichbar');
    const run = page.getByRole('button', { name: 'Jetzt erneut zustellen' });
    expect(await run.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Probelauf für Auswahl' }).click();
    await page.locator('#replay-outcome').getByText(`${deadMessageId}: chemnitz-gewerbeamt → chemnitz-gewerbeamt`).waitFor();
    expect(receiver.received.filter((r) => r.headers['amtsbote-message-id'] === deadMessageId)).toHaveLength(1);
    await run.click();
    await page.getByText('1 Nachrichten werden erneut zugestellt.').first().waitFor();

    // The filter shows it delivered once the worker has sent it again.
    await page.getByLabel('Zustand', { exact: true }).selectOption('delivered');
    const deliveredRow = page.locator('#deliveries-table').getByRole('button', { name: deadMessageId });
    await eventually(
      async () => {
        await page.getByRole('button', { name: 'Anzeigen' }).click();
        await page.locator('#delivery-results').getByText(/Zustellungen|Keine Zustellung/).first().waitFor();
        return deliveredRow.count();
      },
      (n) => n === 1,
      processBoundMs,
    );
    await deliveredRow.click();
    const details = page.locator('#delivery-details');
    await details.getByText('Zustand zugestellt').waitFor();
    expect(await details.locator('tbody tr').count()).toBe(2);
    const attempts = await details.locator('tbody tr').allTextContents();
    expect(attempts[0]).toMatch(/retry503http-503\d+ ms$/);
    expect(attempts[1]).toMatch(/delivered200–\d+ ms$/);
    expect(await details.textContent()).toContain('Zustand zugestellt, 2 Versuche.');
    await page.close();
  });

  it('shows an invalid ARS at its field, then the diff, saves with a note and lists the new version', async () => {
    const page = await signedIn(adminTokens.editor);
    await page.getByRole('link', { name: 'Routing' }).click();
    const region = page.getByLabel('Region (ARS), Regel 1', { exact: true });
    const original = await region.inputValue();
    await region.fill('1471x');
    const error = page.locator('#rule-0-region-error');
    await expect.poll(() => error.textContent()).toContain('ARS');
    expect(await region.getAttribute('aria-invalid')).toBe('true');
    expect(await region.getAttribute('aria-describedby')).toBe('rule-0-region-error');
    expect(await page.locator('#routing-save').isDisabled()).toBe(true);

    await region.fill(original);
    await page.getByLabel('Gültig bis, Regel 1', { exact: true }).fill('2099-01-01');
    await expect.poll(() => error.textContent()).toBe('');
    await page.locator('#routing-diff').getByText(/^Geänderte Regel: .* bis 2099-01-01$/).waitFor();
    await page.getByLabel('Begründung der Änderung').fill('Zuständigkeit endet 2099');
    await page.getByRole('button', { name: 'Neue Version speichern' }).click();
    await page.locator('#routing-versions').getByRole('cell', { name: 'Zuständigkeit endet 2099' }).waitFor();
    const row = page.locator('#routing-versions tbody tr').first();
    expect(await row.locator('td').first().textContent()).toBe('2');
    expect(await row.textContent()).toContain('landesbetreiber');
    const routing = await adminCall(gateway.url, 'GET', '/routing', adminTokens.viewer);
    expect(routing.body.version).toBe(2);
    await page.close();
  });

  it('lets a viewer see routing, deliveries and keys but change nothing', async () => {
    const page = await signedIn(adminTokens.viewer);
    await page.getByRole('link', { name: 'Routing' }).click();
    await page.locator('#read-only-hint').waitFor();
    expect(await page.locator('#routing-rules input').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Neue Version speichern' }).count()).toBe(0);
    expect(await page.locator('#routing-versions').getByRole('button').count()).toBe(0);
    // and the API behind the page refuses it too
    const status = await page.evaluate(`fetch('/admin/v1/routing', { method: 'PUT', headers: { authorization: 'Bearer ' + sessionStorage.getItem('amtsbote.adminToken'), 'content-type': 'application/json', 'if-match': '"2"' }, body: JSON.stringify({ note: 'nicht erlaubt', document: {} }) }).then((r) => r.status)`);
    expect(status).toBe(403);
    await page.getByRole('link', { name: 'Zustellungen' }).click();
    await page.getByRole('heading', { level: 2, name: 'Unzustellbare Nachrichten' }).waitFor();
    expect(await page.getByRole('button', { name: /Probelauf/ }).count()).toBe(0);
    await page.getByRole('link', { name: 'Schlüssel' }).click();
    await page.locator('#keys-table').waitFor();
    expect(await page.locator('#keys-table').getByRole('button').count()).toBe(0);
    await page.close();
  });

  it('activates a key after a confirmation in a dialog, which Escape cancels', async () => {
    const page = await signedIn(adminTokens.editor);
    await page.getByRole('link', { name: 'Schlüssel' }).click();
    const retireOld = page.getByRole('button', { name: 'test-gateway-sig-2 stilllegen' });
    await retireOld.click();
    await page.getByRole('dialog', { name: 'test-gateway-sig-2 stilllegen?' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('test-gateway-sig-2 stilllegen');

    await page.getByRole('button', { name: 'test-gateway-sig-2 aktivieren' }).click();
    const dialog = page.getByRole('dialog', { name: 'test-gateway-sig-2 aktivieren?' });
    await dialog.waitFor();
    expect(await wcagViolations(page), 'keys page with its dialog').toEqual([]);
    await dialog.getByLabel('Begründung').fill('planmäßiger Schlüsselwechsel');
    await dialog.getByRole('button', { name: 'Aktivieren' }).click();
    await page.locator('#key-outcome').getByText('test-gateway-sig-2 ist aktiv.').waitFor();
    const states = await page.locator('#keys-table tbody tr').allTextContents();
    expect(states.find((row) => row.startsWith('test-gateway-sig-2'))).toContain('aktiv');
    expect(states.find((row) => row.startsWith('test-gateway-sig-1'))).toContain('veröffentlicht');
    const keys = (await adminCall(gateway.url, 'GET', '/keys', adminTokens.viewer)).body.keys as { kid: string; state: string }[];
    expect(keys.find((k) => k.kid === 'test-gateway-sig-2')?.state).toBe('active');
    await page.close();
  });

  it('has no WCAG 2.1 AA violation on any page, in German and in English', async () => {
    const page = await browser.newPage();
    await page.goto(gateway.url + '/admin/');
    await page.getByLabel('Admin-Token').waitFor();
    expect(await wcagViolations(page), 'sign-in page').toEqual([]);
    await page.getByLabel('Admin-Token').fill(adminTokens.editor);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    for (const [path, title] of pages) {
      await page.goto(`${gateway.url}/admin/#/${path}`);
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      await page.locator('main p', { hasText: 'Wird geladen' }).waitFor({ state: 'detached' });
      expect(await wcagViolations(page), path).toEqual([]);
    }
    await page.getByLabel('Sprache').selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    expect(await wcagViolations(page), 'audit (en)').toEqual([]);
    await page.close();
  });

  it('has an accessibility check that does find violations (an unlabelled field on a page without lang)', async () => {
    const page = await browser.newPage();
    await page.setContent('<html><body><main><input type="text"></main></body></html>');
    const ids = (await wcagViolations(page)).map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(['html-has-lang', 'label']));
    await page.close();
  });

  it('serves the page with a strict Content-Security-Policy and no third-party assets', async () => {
    const res = await fetch(gateway.url + '/admin/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/style=/);
  });
});
