import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { processBoundMs } from './wait.js';

/** Debian's Chromium (scripts/test-prerequisites.mjs installs it); no browser is ever downloaded. */
export const chromiumPath = '/usr/bin/chromium';

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab: its session storage (where the page keeps the admin token) is its own. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh profile (playwright passes it as --user-data-dir) and everything
 * that would reach the network switched off.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'amtsbote-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
    // a launch on a busy machine takes longer than playwright's 30 s
    timeout: processBoundMs,
  });
  // every wait for the page (waitFor, click, goto) as generous as the other waits for a process
  context.setDefaultTimeout(processBoundMs);
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core in the page against WCAG 2.1 A and AA (BITV 2.0) and returns the violations. The page's
 * CSP forbids inline scripts, so axe is added through the DevTools protocol, which the CSP does not govern.
 */
export async function wcagViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  // a string, because the test project has no DOM types; it runs in the page
  return page.evaluate<AxeViolation[]>(`
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
      .then((result) => result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))
  `);
}
