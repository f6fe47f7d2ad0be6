import type { Page } from 'playwright-core';
import type { TestBrowser } from './browser.js';

/** A new tab signed in to the admin page (German) with `token`, showing the overview. */
export async function signedInPage(browser: TestBrowser, baseUrl: string, token: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(baseUrl + '/admin/');
  await page.getByLabel('Admin-Token').fill(token);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.getByRole('heading', { level: 1, name: 'Übersicht' }).waitFor();
  return page;
}
