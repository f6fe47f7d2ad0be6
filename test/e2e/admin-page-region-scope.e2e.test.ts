import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Routing } from '../../src/config/routing-schema.js';
import { launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { adminCall, adminTokens } from '../helpers/http.js';
import { spawnGateway, type GatewayProcess } from '../helpers/process.js';

let dataDir: string;
let gateway: GatewayProcess;
let browser: TestBrowser;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'amtsbote-admin-scope-'));
  gateway = await spawnGateway({ AMTSBOTE_DATA_DIR: dataDir });
  browser = await launchBrowser();
});
// Each one may be missing when beforeAll failed half-way; what exists is stopped all the same.
afterAll(async () => {
  await (browser as TestBrowser | undefined)?.close();
  await (gateway as GatewayProcess | undefined)?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the admin page for a region-limited editor', () => {
  it("shows a change to another region's rule as refused before saving, and saves a change within its regions", async () => {
    const page = await browser.newPage();
    await page.goto(gateway.url + '/admin/');
    await page.getByLabel('Admin-Token').fill(adminTokens.leipzigEditor);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('heading', { level: 1, name: 'Übersicht' }).waitFor();
    await page.getByRole('link', { name: 'Routing' }).click();

    // Rule 1 is Dresden's Gewerbeanmeldung: the page asks the server, which answers as saving would.
    expect(await page.getByLabel('Region (ARS), Regel 1', { exact: true }).inputValue()).toBe('146120000000');
    const dresdenUntil = page.getByLabel('Gültig bis, Regel 1', { exact: true });
    await dresdenUntil.fill('2099-01-01');
    const error = page.locator('#rule-0-region-error');
    await expect.poll(() => error.textContent(), { timeout: 30_000 }).toContain('outside your regions');
    expect(await page.locator('#routing-save').isDisabled()).toBe(true);

    // Rule 4 is Leipzig's: allowed, and saved with the other regions' destinations the page only saw redacted.
    await dresdenUntil.fill('');
    await expect.poll(() => error.textContent(), { timeout: 30_000 }).toBe('');
    expect(await page.getByLabel('Region (ARS), Regel 4', { exact: true }).inputValue()).toBe('147130000000');
    await page.getByLabel('Gültig bis, Regel 4', { exact: true }).fill('2099-01-01');
    await page
      .locator('#routing-diff')
      .getByText(/^Geänderte Regel: .* bis 2099-01-01$/)
      .waitFor({ timeout: 30_000 });
    await page.getByLabel('Begründung der Änderung').fill('Leipzig bis 2099');
    await page.getByRole('button', { name: 'Neue Version speichern' }).click();
    await page
      .locator('#routing-versions')
      .getByRole('cell', { name: 'Leipzig bis 2099' })
      .waitFor({ timeout: 30_000 });

    const stored = (await adminCall(gateway.url, 'GET', '/routing', adminTokens.editor)).body as {
      version: number;
      document: Routing;
    };
    expect(stored.version).toBe(2);
    expect(JSON.stringify(stored.document)).not.toContain('(redacted)');
    await page.close();
  });
});
