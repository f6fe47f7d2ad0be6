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
import { replayByPlan } from '../helpers/replay.js';

const chemnitz = loadExamples().find(
  (e) => !e.invalid && e.envelope.regionKey === '145110000000' && e.envelope.serviceKey === '99050012104000',
)!;

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
    keys: {
      signing: [ownerOnlyKeyFile(dataDir, 'gateway-signing-1'), ownerOnlyKeyFile(dataDir, 'gateway-signing-2')],
      escrow: ownerOnlyKeyFile(dataDir, 'gateway-escrow-1'),
    },
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
  ['services', 'Dienste'],
  ['replies', 'Antworten'],
  ['audit', 'Protokoll'],
] as const;

describe('the admin page', () => {
  it('signs in with the keyboard alone and keeps the token out of the URL', async () => {
    const page = await browser.newPage();
    await page.goto(gateway.url + '/admin/');
    await page.getByLabel('Admin-Token').waitFor();
    // skip link, language, then the token field
    for (let i = 0; i < 10; i++) {
      if ((await page.evaluate('document.activeElement && document.activeElement.id')) === 'token') break;
      await page.keyboard.press('Tab');
    }
    await page.keyboard.type(adminTokens.editor);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Übersicht' }).waitFor();
    expect(page.url()).not.toContain(adminTokens.editor);
    expect(
      await page.evaluate(
        'Object.keys(localStorage).some((k) => localStorage.getItem(k).includes("admin-demo-token"))',
      ),
    ).toBe(false);
    // on to the routing page by keyboard: its heading takes the focus
    const routingLink = page.getByRole('link', { name: 'Routing' });
    await routingLink.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Routing' }).waitFor();
    await eventually(
      () => page.evaluate<string>('document.activeElement && document.activeElement.tagName'),
      (tag) => tag === 'H1',
      processBoundMs,
    );
    await page.close();
  });

  it('refuses a wrong token and records the failed sign-in in the audit log', async () => {
    const page = await browser.newPage();
    await page.goto(gateway.url + '/admin/');
    await page.getByLabel('Admin-Token').fill('not-a-token');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await expect.poll(() => page.locator('#sign-in-error').textContent()).toBe('Das Token ist nicht gültig.');
    const audit = await adminCall(gateway.url, 'GET', '/audit', adminTokens.viewer);
    expect(
      (audit.body.entries as { action: string; detail: Record<string, unknown> }[]).find(
        (e) => e.action === 'admin.sign-in-failed',
      )?.detail,
    ).toEqual({ reason: 'unknown-token', path: '/me', client: expect.stringMatching(/^[\w-]{24}$/) as unknown });
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
    await page
      .locator('#replay-outcome')
      .getByText(`${deadMessageId}: chemnitz-gewerbeamt → chemnitz-gewerbeamt`)
      .waitFor();
    expect(receiver.received.filter((r) => r.headers['amtsbote-message-id'] === deadMessageId)).toHaveLength(1);
    await run.click();
    await page.getByText('1 Nachricht wird erneut zugestellt.').first().waitFor();

    // The filter shows it delivered once the worker has sent it again.
    await page.getByLabel('Zustand', { exact: true }).selectOption('delivered');
    const deliveredRow = page.locator('#deliveries-table').getByRole('button', { name: deadMessageId });
    await eventually(
      async () => {
        await page.getByRole('button', { name: 'Anzeigen' }).click();
        await page
          .locator('#delivery-results')
          .getByText(/Zustellung/)
          .first()
          .waitFor();
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
    expect(attempts[0]).toMatch(/wird wiederholt503http-503\d+ ms$/);
    expect(attempts[1]).toMatch(/zugestellt200–\d+ ms$/);
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
    await page
      .locator('#routing-diff')
      .getByText(/^Geänderte Regel: .* bis 2099-01-01$/)
      .waitFor();
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
    const status = await page.evaluate(
      `fetch('/admin/v1/routing', { method: 'PUT', headers: { authorization: 'Bearer ' + sessionStorage.getItem('amtsbote.adminToken'), 'content-type': 'application/json', 'if-match': '"2"' }, body: JSON.stringify({ note: 'nicht erlaubt', document: {} }) }).then((r) => r.status)`,
    );
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
    const keys = (await adminCall(gateway.url, 'GET', '/keys', adminTokens.viewer)).body.keys as {
      kid: string;
      state: string;
    }[];
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

/**
 * What may not appear on the page in the other language: words of the interface, not of the data (names
 * of places, destinations and notes come from the configuration and from people, in their language).
 */
const foreignWords = {
  de: /\b(the|seeded|from|rules?|matched|matches|failed|unknown|start-up|rollback|rolled|attempts?|after|must|invalid|dead letters?|less specific|other region|required|deliveries|delivery|none|retried|changed|added|removed|reason|destination)\b/i,
  en: /\b(Regeln?|Zustellungen?|Versuche?|unbekannt|Begründung|Zurückgesetzt|keine|Keine|Ziele?|Antrag|Systemstart|fehlgeschlagen|trifft|Leistung|Aktenzeichen|Änderungen|wiederholt|neueste|unzustellbare?)\b/,
} as const;

/** The texts each language must show for the states covered below. */
const expected = {
  de: {
    language: 'Sprache',
    headings: {
      routing: 'Routing',
      deliveries: 'Zustellungen',
      destinations: 'Ziele',
      keys: 'Schlüssel',
      audit: 'Protokoll',
      overview: 'Übersicht',
    },
    arsError: 'Bitte einen Regionalschlüssel (ARS, 12 Ziffern) oder seinen Anfang angeben',
    untilError: '„Gültig bis“ muss nach „Gültig ab“ liegen.',
    unknownDestination: 'Unbekanntes Ziel „nirgendwo“.',
    firstVersion: 'Erste Version: alle Regeln und Ziele sind neu.',
    changedRule: /^Geänderte Regel: .* bis 2098-01-01$/,
    rollbackNote: (to: number) => `Zurückgesetzt auf Version ${to}: Rückkehr zur Ausgangslage`,
    matched:
      /^Regel \d+ entscheidet \(Leistung 99050012104000 \(Gewerbeanmeldung\), Region 145110000000 \(Stadt Chemnitz\)\) → chemnitz-gewerbeamt/,
    otherRegion: ': andere Region',
    dryKeyError: 'Leistung (LeiKa-Schlüssel): Ein LeiKa-Schlüssel hat 14 Ziffern.',
    stale:
      'Das Routing wurde inzwischen geändert. Bitte laden Sie die Seite neu und nehmen Sie Ihre Änderung erneut vor.',
    deadCaption: '1 unzustellbare Nachricht, neueste zuerst',
    lastError: 'http-503 (nach 1 Versuch)',
    summary: 'Zustand unzustellbar, 1 Versuch.',
    retry: 'wird wiederholt',
    unknownActor: 'unbekannt',
    signInDetail: /^Unbekanntes Token\. Adresse \/me\. Absender \(pseudonymisiert\) [\w-]{24}\.$/,
    routingDetail: (version: number, to: number) =>
      `Version ${version}. Begründung: Zurückgesetzt auf Version ${to}: Rückkehr zur Ausgangslage. 1 Regel geändert (`,
    startUp: '(Systemstart)',
    activeKey: 'keine – der aktive Schlüssel wird abgelöst, indem ein anderer aktiviert wird',
  },
  en: {
    language: 'Language',
    headings: {
      routing: 'Routing',
      deliveries: 'Deliveries',
      destinations: 'Destinations',
      keys: 'Keys',
      audit: 'Audit log',
      overview: 'Overview',
    },
    arsError: 'Enter a regional key (ARS, 12 digits) or its beginning',
    untilError: '“Valid until” must be after “valid from”.',
    unknownDestination: 'Unknown destination “nirgendwo”.',
    firstVersion: 'First version: every rule and destination is new.',
    changedRule: /^Changed rule: .* until 2098-01-01$/,
    rollbackNote: (to: number) => `Rolled back to version ${to}: Rückkehr zur Ausgangslage`,
    matched:
      /^Rule \d+ decides \(service 99050012104000 \(Gewerbeanmeldung\), region 145110000000 \(Stadt Chemnitz\)\) → chemnitz-gewerbeamt/,
    otherRegion: ': other region',
    dryKeyError: 'Service (LeiKa key): A LeiKa key has 14 digits.',
    stale: 'Routing has changed in the meantime. Reload the page and make your change again.',
    deadCaption: '1 dead letter, newest first',
    lastError: 'http-503 (after 1 attempt)',
    summary: 'state dead-lettered, 1 attempt.',
    retry: 'to be retried',
    unknownActor: 'unknown',
    signInDetail: /^Unknown token\. Path \/me\. Client \(pseudonymised\) [\w-]{24}\.$/,
    routingDetail: (version: number, to: number) =>
      `Version ${version}. Reason: Rolled back to version ${to}: Rückkehr zur Ausgangslage. 1 rule changed (`,
    startUp: '(start-up)',
    activeKey: 'none – the active key is replaced by activating another one',
  },
} as const;

describe('the admin page in one language at a time', () => {
  const leipzig = loadExamples().find(
    (e) => !e.invalid && e.envelope.regionKey === '147130000000' && e.envelope.serviceKey === '99050012104000',
  )!;
  let secondDeadId: string;
  let secondDeadSubmission: string;
  let names: { services: Record<string, string>; regions: Record<string, string> };
  /** A version that changed rule 1, and the rollback after it to the version before. */
  let changed: number;
  let rolledBack: number;
  const screenshots = process.env.ADMIN_PAGE_SCREENSHOTS;

  beforeAll(async () => {
    // Dead letters left by the tests above are delivered first, so that exactly one is left: the one made here.
    receiver.respond = (_req, res) => res.writeHead(200).end('ok');
    const left = (await adminCall(gateway.url, 'GET', '/dead-letters', adminTokens.viewer)).body.deliveries as {
      id: string;
    }[];
    if (left.length > 0) {
      const replay = await replayByPlan(gateway.url, adminTokens.editor, {
        ids: left.map((d) => d.id),
        note: 'Aufräumen vor dem Test',
      });
      expect(replay.status, JSON.stringify(replay.body)).toBe(200);
      await eventually(
        () => adminCall(gateway.url, 'GET', '/dead-letters', adminTokens.viewer),
        (r) => (r.body.deliveries as unknown[]).length === 0,
      );
    }
    // A change to rule 1, then a rollback to the version before it.
    const current = await adminCall(gateway.url, 'GET', '/routing', adminTokens.editor);
    names = current.body.names as typeof names;
    const document = current.body.document as { rules: { validUntil?: string }[] };
    document.rules[0]!.validUntil = '2098-01-01';
    const saved = await adminCall(
      gateway.url,
      'PUT',
      '/routing',
      adminTokens.editor,
      { note: 'Zuständigkeit endet 2098', document },
      { 'if-match': current.headers.get('etag')! },
    );
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    changed = saved.body.version as number;
    const rollback = await adminCall(
      gateway.url,
      'POST',
      `/routing/rollback/${changed - 1}`,
      adminTokens.editor,
      { note: 'Rückkehr zur Ausgangslage' },
      { 'if-match': saved.headers.get('etag')! },
    );
    expect(rollback.status, JSON.stringify(rollback.body)).toBe(200);
    rolledBack = rollback.body.version as number;
    // A failed sign-in: its actor is "unknown"
    expect((await adminCall(gateway.url, 'GET', '/me', 'no-such-admin-token')).status).toBe(401);
    // A dead letter after one attempt, then the newest submission: Leipzig's.
    receiver.respond = (_req, res) => res.writeHead(503).end('down');
    const dead = await postJson(gateway.url, '/v1/submissions', chemnitz.envelope);
    expect(dead.status, JSON.stringify(dead.body)).toBe(202);
    secondDeadId = (dead.body.destinations as { messageId: string }[])[0]!.messageId;
    secondDeadSubmission = dead.body.submissionId as string;
    await eventually(
      () => adminCall(gateway.url, 'GET', '/dead-letters', adminTokens.viewer),
      (r) => (r.body.deliveries as { id: string }[]).some((d) => d.id === secondDeadId),
    );
    const newest = await postJson(gateway.url, '/v1/submissions', leipzig.envelope);
    expect(newest.status, JSON.stringify(newest.body)).toBe(202);
  });

  /** Console errors, uncaught exceptions and failed requests (a missing favicon among them) of a tab. */
  function watch(page: Page): string[] {
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    return problems;
  }

  /**
   * Signs in as the editor with the page in `language`. The choice is stored before the page loads:
   * switching on the sign-in form re-renders it, and a token typed meanwhile would be lost.
   */
  async function signInIn(page: Page, language: 'de' | 'en') {
    await page.goto(gateway.url + '/admin/');
    // once the form is there, the page has stored its language: ours is not overwritten
    await page.locator('#token').waitFor();
    await page.evaluate(`localStorage.setItem('amtsbote.language', '${language}')`);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: language === 'de' ? 'Anmelden' : 'Sign in' }).waitFor();
    expect(await page.locator('#language').inputValue()).toBe(language);
    await page.locator('#token').fill(adminTokens.editor);
    await page.locator('form.sign-in button[type="submit"]').click();
    await page.getByRole('heading', { level: 1, name: expected[language].headings.overview }).waitFor();
  }

  /** A new tab at 1280 px, signed in as the editor in `language`, with its problems watched from the start. */
  async function signedInTab(language: 'de' | 'en') {
    const page = await browser.newPage();
    const problems = watch(page);
    await page.setViewportSize({ width: 1280, height: 900 });
    await signInIn(page, language);
    return { page, problems };
  }

  /** The text of each cell of the rows a selector names, row by row (a string: the tests have no DOM types). */
  const cells = (page: Page, rows: string) =>
    page.evaluate<string[][]>(
      `[...document.querySelectorAll(${JSON.stringify(rows)})].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''))`,
    );

  /** Opens a page by its address and waits until it has loaded (its "loading" line is gone). */
  async function open(page: Page, path: string, heading: string) {
    await page.goto(`${gateway.url}/admin/#/${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await page.locator('main .view > p', { hasText: /^(Wird geladen|Loading)/ }).waitFor({ state: 'detached' });
  }

  async function checkLanguage(page: Page, language: 'de' | 'en', state: string) {
    const text = await page.locator('body').innerText();
    expect(
      text.match(foreignWords[language])?.[0],
      `${state}: a word of the other language in «${text.slice(0, 3000)}»`,
    ).toBeUndefined();
    expect(await wcagViolations(page), `${state} (${language})`).toEqual([]);
  }

  it.each(['de', 'en'] as const)(
    'speaks %s only: field errors, names, wrapping lists, date pickers, diffs, dry run',
    async (language) => {
      const words = expected[language];
      const { page, problems } = await signedInTab(language);
      await open(page, 'routing', words.headings.routing);

      // names beside the keys; the destination list is a text area that wraps; dates are date pickers
      const service = await page.locator('#rule-0-service').inputValue();
      const region = await page.locator('#rule-0-region').inputValue();
      expect(await page.locator('#rule-0-service-name').textContent()).toBe(names.services[service]);
      expect(await page.locator('#rule-0-region-name').textContent()).toBe(names.regions[region] ?? '');
      expect(await page.locator('#routing-rules tbody .name:not(:empty)').count()).toBeGreaterThan(3);
      expect(await page.locator('#rule-0-validFrom').getAttribute('type')).toBe('date');
      expect(await page.locator('#rule-0-validUntil').getAttribute('type')).toBe('date');
      const destinations = page.locator('#rule-0-destinations');
      expect(await page.locator('textarea#rule-0-destinations').count()).toBe(1);
      const originalDestinations = await destinations.inputValue();
      await destinations.fill(
        'leipzig-gewerbeamt, statistik-sachsen, dresden-gewerbeamt, chemnitz-gewerbeamt, chemnitz-meldebehoerde',
      );
      const overflow = await page.evaluate<{ wide: number; tall: number }>(
        `(() => { const e = document.getElementById('rule-0-destinations'); return { wide: e.scrollWidth - e.clientWidth, tall: e.scrollHeight - e.clientHeight }; })()`,
      );
      expect(overflow.wide, 'the list wraps instead of running out sideways').toBeLessThanOrEqual(1);
      expect(overflow.tall, 'every line of the list is visible').toBeLessThanOrEqual(1);

      // field errors from codes, in the page's language
      await destinations.fill('nirgendwo');
      await expect.poll(() => page.locator('#rule-0-destinations-error').textContent()).toBe(words.unknownDestination);
      await destinations.fill(originalDestinations);
      await page.locator('#rule-0-region').fill('1471x');
      await expect.poll(() => page.locator('#rule-0-region-error').textContent()).toContain(words.arsError);
      await checkLanguage(page, language, 'routing with a field error');
      await page.locator('#rule-0-region').fill(region);
      await page.locator('#rule-0-validFrom').fill('2099-02-01');
      await page.locator('#rule-0-validUntil').fill('2099-01-01');
      await expect.poll(() => page.locator('#rule-0-validUntil-error').textContent()).toBe(words.untilError);

      // the history: each version's diff, a rollback's note in words
      const history = page.locator('#routing-versions');
      await history.locator(`#version-${changed}-diff summary`).click();
      await history.locator(`#version-${changed}-diff li`).getByText(words.changedRule).waitFor();
      await history.locator('#version-1-diff summary').click();
      await history.locator('#version-1-diff').getByText(words.firstVersion).waitFor();
      const versions = await cells(page, '#routing-versions tbody tr');
      expect(versions.find((cells) => cells[0] === String(rolledBack))?.[3]).toBe(words.rollbackNote(changed - 1));

      // the dry run explains in words, counting rules from 1 as the table does
      await page.locator('#dry-service').fill('99050012104000');
      await page.locator('#dry-region').fill('145110000000');
      await page.locator('#dry-run-form button[type="submit"]').click();
      await page.locator('#dry-run-explanation').getByText(words.matched).waitFor();
      expect(await page.locator('#dry-run-result li', { hasText: words.otherRegion }).count()).toBeGreaterThan(0);
      await checkLanguage(page, language, 'routing with diffs and a dry run');
      if (screenshots) await page.screenshot({ path: `${screenshots}/routing-${language}-1280.png`, fullPage: true });
      // a key of the wrong length is named at its field before anything is sent
      await page.locator('#dry-service').fill('9905');
      await page.locator('#dry-run-form button[type="submit"]').click();
      await page.locator('#dry-run-result li').getByText(words.dryKeyError, { exact: true }).waitFor();

      expect(problems, 'console errors and failed requests').toEqual([]);

      // someone else saves first: the refusal (412) in the page's language, not the server's English
      await page.locator('#rule-0-validFrom').fill('');
      await page.locator('#rule-0-validUntil').fill('2097-01-01');
      await expect.poll(() => page.locator('#rule-0-validUntil-error').textContent()).toBe('');
      const other = await adminCall(gateway.url, 'GET', '/routing', adminTokens.editor);
      const otherDocument = other.body.document as { rules: { validUntil?: string }[] };
      otherDocument.rules[1]!.validUntil = language === 'de' ? '2096-01-01' : '2095-01-01';
      const otherSave = await adminCall(
        gateway.url,
        'PUT',
        '/routing',
        adminTokens.editor,
        { note: 'Zwischendurch gespeichert', document: otherDocument },
        { 'if-match': other.headers.get('etag')! },
      );
      expect(otherSave.status, JSON.stringify(otherSave.body)).toBe(200);
      await page.locator('#routing-note').fill('Zuständigkeit endet 2097');
      await page.locator('#routing-save').click();
      await page.locator('#routing-errors li').getByText(words.stale, { exact: true }).waitFor();
      await checkLanguage(page, language, 'routing refused as stale');
      // the refusal is the one failed request, which Chromium also reports in the console
      expect(
        problems.filter((p) => !p.includes('412')),
        'console errors and failed requests',
      ).toEqual([]);
      expect(problems).toHaveLength(2);
      await page.close();
    },
  );

  it.each(['de', 'en'] as const)(
    'speaks %s only: deliveries newest first, plurals, audit text, keys, favicon, narrow screens',
    async (language) => {
      const words = expected[language];
      const { page, problems } = await signedInTab(language);

      // deliveries: newest first, with submission id and the portal's reference
      await open(page, 'deliveries', words.headings.deliveries);
      const rows = page.locator('#deliveries-table tbody tr');
      await rows.first().waitFor();
      const table = await cells(page, '#deliveries-table tbody tr');
      expect(table[0]![2], 'the newest submission comes first').toBe(leipzig.envelope.reference);
      const secondDead = table.findIndex((cells) => cells[0] === secondDeadId);
      const firstDead = table.findIndex((cells) => cells[0] === deadMessageId);
      expect(secondDead).toBeGreaterThan(0);
      expect(firstDead).toBeGreaterThan(secondDead);
      expect(table[secondDead]![1]).toBe(secondDeadSubmission);
      expect(table[secondDead]![2]).toBe(chemnitz.envelope.reference);
      // one dead letter, one attempt: singular forms
      await page.locator('#dead-letters-table caption').getByText(words.deadCaption, { exact: true }).waitFor();
      expect(await page.locator('#dead-letters-table tbody tr').first().textContent()).toContain(words.lastError);
      await page.locator('#dead-letters-table').getByRole('button', { name: secondDeadId }).click();
      await page.locator('#delivery-details').getByText(words.summary).waitFor();
      expect(await page.locator('#delivery-details tbody tr').first().textContent()).toContain(words.retry);
      await checkLanguage(page, language, 'deliveries with details');

      // the audit log in sentences, the gateway's own actors in words
      await open(page, 'audit', words.headings.audit);
      const audit = page.locator('#audit-table tbody tr');
      await audit.first().waitFor();
      const entries = await cells(page, '#audit-table tbody tr');
      expect(
        entries.map((cells) => cells[3]).filter((detail) => /[{}"]/.test(detail!)),
        'no JSON in the details',
      ).toEqual([]);
      expect(entries.find((cells) => cells[1] === words.unknownActor)?.[3]).toMatch(words.signInDetail);
      const rollbackDetail = words.routingDetail(rolledBack, changed - 1);
      expect(
        entries.filter((cells) => cells[3]!.startsWith(rollbackDetail)),
        rollbackDetail,
      ).toHaveLength(1);
      await checkLanguage(page, language, 'audit');
      if (screenshots) await page.screenshot({ path: `${screenshots}/audit-${language}-1280.png`, fullPage: true });

      // keys: the empty action cell says why; the start-up registration in words
      await open(page, 'keys', words.headings.keys);
      const keyRows = await page.locator('#keys-table tbody tr').allTextContents();
      const keys = (await adminCall(gateway.url, 'GET', '/keys', adminTokens.viewer)).body.keys as {
        kid: string;
        state: string;
        purpose: string;
      }[];
      const active = keys.find((k) => k.state === 'active' && k.purpose === 'signing')!.kid;
      expect(keyRows.find((row) => row.startsWith(active))).toContain(words.activeKey);
      expect(keyRows.some((row) => row.includes(words.startUp))).toBe(true);
      await checkLanguage(page, language, 'keys');
      if (screenshots) await page.screenshot({ path: `${screenshots}/keys-${language}-1280.png`, fullPage: true });

      // 390 px: every table scrolls in its own box, the page never sideways
      await page.setViewportSize({ width: 390, height: 844 });
      for (const path of ['overview', 'routing', 'deliveries', 'destinations', 'keys', 'audit'] as const) {
        await open(page, path, words.headings[path]);
        await page.locator('main table').first().waitFor();
        // a string, because the test project has no DOM types; it runs in the page
        const widths = await page.evaluate<{
          page: number;
          view: number;
          boxes: number[];
          unboxed: number;
          wide: string[];
        }>(`({
        wide: [...document.querySelectorAll('body *')].filter((e) => !e.closest('.table-scroll') && e.getBoundingClientRect().right > window.innerWidth).map((e) => e.tagName + '#' + e.id + '.' + e.className).slice(0, 10),
        page: document.documentElement.scrollWidth,
        view: window.innerWidth,
        boxes: [...document.querySelectorAll('main .table-scroll')].map((box) => box.getBoundingClientRect().right),
        unboxed: [...document.querySelectorAll('main table')].filter((t) => !t.parentElement.classList.contains('table-scroll')).length,
      })`);
        expect(widths.page, `${path} at 390 px, wider: ${widths.wide.join(' ')}`).toBeLessThanOrEqual(widths.view);
        expect(widths.unboxed, `${path}: tables outside a scroll box`).toBe(0);
        for (const right of widths.boxes) expect(right).toBeLessThanOrEqual(widths.view);
        if (screenshots) await page.screenshot({ path: `${screenshots}/${path}-${language}-390.png`, fullPage: true });
      }
      await checkLanguage(page, language, 'audit at 390 px');
      expect(problems, 'console errors and failed requests (favicon included)').toEqual([]);
      await page.close();
    },
  );

  it('serves the favicon the page links', async () => {
    const html = await (await fetch(gateway.url + '/admin/')).text();
    const href = /<link rel="icon" href="([^"]+)"/.exec(html)?.[1];
    expect(href).toBe('/admin/favicon.svg');
    const icon = await fetch(`${gateway.url}${href ?? ''}`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
  });
});
