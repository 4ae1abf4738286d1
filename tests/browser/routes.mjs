// Every page, one URL per route pattern: the patterns are read from the app's source (each
// `.route("PATH", get(…))` that is not the API), a URL for each is found by following links on a
// running demo community, and every URL is opened at 390 × 844 and at 1280 × 800, in the light and
// the dark scheme, as a member of the demo (an admin, so the admin's pages open too) and as a
// visitor. It fails on a page that scrolls sideways, any axe violation (of any impact), a
// console error, an asset that does not load, a tap target under 44 px, a page answered with an
// error, and on a page pattern no link leads to that is not listed below with its reason.
//
//   BASE_URL=http://127.0.0.1:3000 MEMBER_EMAIL=… MEMBER_PASSWORD=… node tests/browser/routes.mjs
//
// scripts/browser-test.sh starts the demo server and runs it.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = (process.env.BASE_URL || '').replace(/\/+$/, '');
const EMAIL = process.env.MEMBER_EMAIL;
const PASSWORD = process.env.MEMBER_PASSWORD;
if (!BASE || !EMAIL || !PASSWORD) {
  console.error('set BASE_URL, MEMBER_EMAIL and MEMBER_PASSWORD');
  process.exit(2);
}
const MAX_URLS = 120;
const SIZES = [[390, 844], [1280, 800]];
const SCHEMES = ['light', 'dark'];

// GET routes that are not pages a person reads: files, feeds, fragments and probes.
const NOT_PAGES = [
  /^\/assets\//, /^\/photos\//, /^\/feeds\//, /\.ics$/, /\.csv$/, /\.vcf$/, /\.png$/, /\/ws$/,
  /^\/(healthz|readyz|metrics|robots\.txt|sitemap\.xml|manifest\.webmanifest|favicon\.ico)$/,
  /^\/settings\/export$/, // a JSON download
  /^\/notifications\/bell$/, /^\/cities$/, /^\/events\/summary$/, // htmx fragments
  /^\/notifications\/\{id\}\/open$/, // marks a notification read and leads to what it is about
];
// Pages reached only from a link in an email, which holds a secret: each has its own tests.
const BY_MAIL = {
  '/reset/{token}': 'a password reset link (accounts tests)',
  '/verify/{token}': 'an address confirmation link (verification tests)',
  '/unsubscribe/{token}': 'an unsubscribe link (notifications tests)',
  '/invites/{token}': 'an invitation sent by email or shared by an organiser (groups tests)',
  '/checkin/{token}': 'a check-in code, scanned at the door from a QR code (event_changes tests)',
  '/no-mail/{token}': 'the "don\'t email me again" link in an invitation to someone not yet a member (roster tests)',
  '/answers/{token}': "a visitor's link to their place, in the mail that confirms it (visitor_answers tests, and the walk-through)",
};

// ------------------------------------------------------------ the routes --

function sources(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.rs')) out.push(readFileSync(p, 'utf8'));
  }
  return out;
}

// Each `.route("PATH", …)` whose arguments hold `get(`, as in the Rust route scan.
function pagePatterns() {
  const found = new Set();
  for (const text of sources('crates/app/src')) {
    let rest = text;
    for (let at = rest.indexOf('.route('); at >= 0; at = rest.indexOf('.route(')) {
      rest = rest.slice(at + '.route('.length);
      const open = rest.indexOf('"');
      const close = rest.indexOf('"', open + 1);
      const path = rest.slice(open + 1, close);
      let depth = 1;
      let end = close;
      for (; end < rest.length && depth > 0; end++) {
        if (rest[end] === '(') depth++;
        if (rest[end] === ')') depth--;
      }
      if (/\bget\(/.test(rest.slice(close, end)) && !path.startsWith('/api/')) found.add(path);
    }
  }
  return [...found].filter((p) => !NOT_PAGES.some((r) => r.test(p))).sort();
}

function matcher(pattern) {
  const re = pattern.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${re}$`);
}

// ----------------------------------------------------------- finding URLs --

// Follows links from `starts` until every pattern has a URL (or `budget` pages were read).
async function discover(request, patterns, starts, budget) {
  const found = new Map();
  const matchers = patterns.map((p) => [p, matcher(p)]);
  const queued = new Set(starts);
  const queue = [...queued];
  while (queue.length && budget-- > 0 && found.size < patterns.length) {
    const url = queue.shift();
    const r = await request.get(BASE + url, { maxRedirects: 0 });
    if (process.env.DEBUG) console.log('discover', r.status(), url);
    if (r.status() !== 200 || !(r.headers()['content-type'] || '').includes('text/html')) continue;
    const path = new URL(BASE + url).pathname;
    const hit = matchers.find(([p, re]) => re.test(path) && !found.has(p));
    if (hit) found.set(hit[0], url);
    const html = await r.text();
    for (const m of html.matchAll(/href="([^"]+)"/g)) {
      const href = m[1].replaceAll('&#x2f;', '/').replaceAll('&#x3d;', '=').replaceAll('&amp;', '&').split('#')[0];
      if (!href.startsWith('/') || href.startsWith('//')) continue;
      const p = href.split('?')[0];
      const pattern = matchers.find(([, re]) => re.test(p));
      // Links to a pattern not yet found first; others only to find more links.
      if (queued.has(href)) continue;
      queued.add(href);
      if (pattern && !found.has(pattern[0])) queue.unshift(href);
      else queue.push(href);
    }
  }
  if (process.env.DEBUG) console.log('discover ended', queue.length, budget, found.size, patterns.length);
  return found;
}

// What only a fresh action shows: a poll the member runs, and a post of theirs still inside its
// edit window. Made through the API, as the member.
async function prepare(request) {
  const made = await request.post(`${BASE}/api/v1/tokens`, { data: { email: EMAIL, password: PASSWORD, name: 'route walk' } });
  const headers = { authorization: `Bearer ${(await made.json()).token}` };
  const members = (await (await request.get(`${BASE}/api/v1/members?limit=3`, { headers })).json()).items;
  const day = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  const poll = await request.post(`${BASE}/api/v1/polls`, {
    headers,
    data: { title: 'Planning the spring retreat', duration_minutes: 90, time_zone: 'Europe/Lisbon',
      from_date: day(7), to_date: day(21), invitees: members.slice(0, 2).map((m) => m.id) },
  });
  const starts = [];
  if (poll.ok()) starts.push(`/polls/${(await poll.json()).id}`);
  else problem('walk', '/api/v1/polls', `answered ${poll.status()}: ${await poll.text()}`);
  const groups = (await (await request.get(`${BASE}/api/v1/groups`, { headers })).json()).items;
  for (const g of groups) {
    const post = await request.post(`${BASE}/api/v1/groups/${g.id}/posts`, {
      headers, data: { kind: 'idea', title: 'A reading list for the quiet weeks', body: 'Share what helped you focus.' },
    });
    if (post.ok()) {
      starts.push(`/groups/${g.id}/posts/${(await post.json()).id}`);
      break;
    }
  }
  return starts;
}

// ------------------------------------------------------------- the checks --

const problems = [];
function problem(who, url, what) {
  problems.push(`${who} ${url}: ${what}`);
}

async function visit(page, who, url, withAxe) {
  const bad = [];
  const onResponse = (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') bad.push(`${r.status()} for ${r.url()}`);
  };
  const onConsole = (m) => {
    if (m.type() === 'error') bad.push(`console: ${m.text()}`);
  };
  const onError = (e) => bad.push(`script error: ${e.message}`);
  page.on('response', onResponse);
  page.on('console', onConsole);
  page.on('pageerror', onError);
  try {
    const r = await page.goto(BASE + url, { waitUntil: 'load' });
    if (!r || r.status() >= 400) problem(who, url, `answered ${r ? r.status() : 'nothing'}`);
    const width = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    if (width[0] > width[1]) problem(who, url, `${width[0]} px wide in a ${width[1]} px window`);
    const small = await page.evaluate(() => [...document.querySelectorAll(
      'button:not(.link), a.button, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), summary, a.slot')]
      .filter((el) => el.offsetParent !== null && el.closest('details:not([open]) > :not(summary)') === null)
      .map((el) => [el.outerHTML.slice(0, 80), Math.round(el.getBoundingClientRect().height)])
      .filter(([, h]) => h < 44));
    if (small.length) problem(who, url, `tap targets under 44 px: ${JSON.stringify(small)}`);
    if (withAxe) {
      await page.addScriptTag({ content: AXE_SOURCE });
      const results = await page.evaluate(() => window.axe.run());
      for (const v of results.violations) {
        problem(who, url, `axe ${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      }
    }
  } finally {
    page.off('response', onResponse);
    page.off('console', onConsole);
    page.off('pageerror', onError);
  }
  for (const b of bad) problem(who, url, b);
}

async function signIn(context) {
  const page = await context.newPage();
  await page.goto(BASE + '/login');
  await page.getByLabel('Email', { exact: true }).fill(EMAIL);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.getByRole('button', { name: 'Log in' }).click()]);
  return page;
}

// ------------------------------------------------------------------ main --

const started = Date.now();
const patterns = pagePatterns();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
let urls = [];
let visitorUrls = [];
try {
  const finder = await browser.newContext();
  const member = await signIn(finder);
  const made = await prepare(finder.request);
  const wanted = patterns.filter((p) => !BY_MAIL[p]);
  // Signing in, signing up and asking for a reset are a visitor's pages: a member is sent on.
  const forMembers = wanted.filter((p) => !['/login', '/signup', '/reset'].includes(p));
  const starts = [...forMembers.filter((p) => !p.includes('{')), ...made];
  const found = await discover(finder.request, forMembers, starts, 400);
  await member.close();
  await finder.close();
  // A visitor follows the links a visitor has, from the home page.
  const outsider = await browser.newContext();
  const seenByVisitor = await discover(outsider.request, wanted, ['/', '/discover'], 100);
  await outsider.close();
  const missing = patterns.filter((p) => !found.has(p) && !seenByVisitor.has(p) && !BY_MAIL[p]);
  for (const p of missing) problem('walk', p, 'no link on the demo leads to this page pattern');
  urls = [...found.values()];
  visitorUrls = [...seenByVisitor.values()];
  if (urls.length + visitorUrls.length > MAX_URLS) problem('walk', '', `${urls.length + visitorUrls.length} URLs, more than ${MAX_URLS}`);
  for (const [width, height] of SIZES) {
    for (const scheme of SCHEMES) {
      const options = { viewport: { width, height }, colorScheme: scheme, bypassCSP: true };
      const m = await browser.newContext(options);
      const page = await signIn(m);
      for (const url of urls) await visit(page, `member ${width} ${scheme}`, url, true);
      await m.close();
      const v = await browser.newContext(options);
      const vp = await v.newPage();
      for (const url of visitorUrls) await visit(vp, `visitor ${width} ${scheme}`, url, true);
      await v.close();
      console.log(`routes: ${width} × ${height} ${scheme} done, ${Math.round((Date.now() - started) / 1000)} s`);
    }
  }
} finally {
  await browser.close();
}
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`routes: ${patterns.length} page patterns; ${urls.length} URLs as a member and ${visitorUrls.length} as a visitor, each at two sizes in two schemes, in ${seconds} s`);
if (problems.length) {
  console.error(`routes: ${problems.length} problems:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('routes: every page passed');
