// What the browser walk-throughs share: the server's address, the test members' email and
// password, finding and clicking things, axe-core checks, and moving data back in time.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
if (!BASE_URL) {
  console.error('set BASE_URL, e.g. BASE_URL=http://127.0.0.1:3000');
  process.exit(2);
}

export const PASSWORD = 'quiet-cafe-table-42';
// The server's SQLite file (browser-test.sh passes it), for moving data back in time: weeks pass
// in seconds instead of days. The server itself is never touched.
export const DB_PATH = process.env.DB_PATH || '';
export const EMAIL = `browser-${Date.now()}-${process.pid}@example.com`;
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

export const violations = []; // { page, url, rule }
export const pagesChecked = [];
export const serverErrors = []; // documents answered with 5xx
export const scriptErrors = []; // uncaught exceptions in the pages

// ---------------------------------------------------------------- helpers --

export class StepError extends Error {}

export function check(condition, message) {
  if (!condition) throw new StepError(message);
}

export function path(page) {
  return new URL(page.url()).pathname;
}

export function expectPath(page, expected) {
  check(path(page) === expected, `expected to be at ${expected}, but the browser is at ${page.url()}`);
}

export async function expectVisible(locator, what) {
  try {
    await locator.waitFor({ state: 'visible', timeout: 10_000 });
  } catch {
    throw new StepError(`not found on the page: ${what}`);
  }
}

export async function goto(page, relative) {
  const response = await page.goto(BASE_URL + relative, { waitUntil: 'load' });
  check(response, `no response for ${relative}`);
  check(response.status() < 400, `GET ${relative} answered ${response.status()}`);
}

// Clicks something that loads a new document (a link, or a form's submit
// button, possibly followed by a redirect) and waits until that document has
// loaded. Waiting for the URL alone is not enough: a form re-rendered with
// errors may come back at the very same URL.
export async function clickAndWaitForPage(page, locator) {
  const navigated = page.waitForEvent('framenavigated', {
    predicate: (frame) => frame === page.mainFrame(),
    timeout: 30_000,
  });
  try {
    await locator.click();
  } catch (err) {
    navigated.catch(() => {}); // the step fails with the click's error, not an unhandled one
    throw err;
  }
  await navigated;
  await page.waitForLoadState('load');
}

// Injects axe-core into the current page, runs it, and records the serious
// and critical violations under `label`.
export async function checkA11y(page, label) {
  await page.addScriptTag({ content: AXE_SOURCE });
  const results = await page.evaluate(() => window.axe.run());
  pagesChecked.push(label);
  for (const rule of results.violations) {
    if (BLOCKING_IMPACTS.has(rule.impact)) {
      violations.push({ page: label, url: page.url(), rule });
    }
  }
  console.log(`  axe: ${label}`);
}

// Moves data in the server's SQLite file back in time (tests/browser/timeshift.py).
export function timeshift(...args) {
  check(DB_PATH, 'DB_PATH is not set (browser-test.sh sets it)');
  return execFileSync('python3', ['tests/browser/timeshift.py', DB_PATH, ...args], { encoding: 'utf8' });
}

// A fresh browser context beside `page`'s, signed in as `email`; close the context when done.
export async function signIn(page, email) {
  const context = await page.context().browser().newContext({ bypassCSP: true });
  const p = await context.newPage();
  await goto(p, '/login');
  await p.getByLabel('Email', { exact: true }).fill(email);
  await p.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await clickAndWaitForPage(p, p.getByRole('button', { name: 'Log in' }));
  return { context, page: p };
}
