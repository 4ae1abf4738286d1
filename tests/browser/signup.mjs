// Walks a new user's main flow in headless Chromium against a running
// Alongside server and checks every visited page with axe-core.
//
//   BASE_URL=http://127.0.0.1:PORT node tests/browser/signup.mjs
//
// Normally run by scripts/browser-test.sh, which builds nothing but starts the
// server. CHROMIUM overrides the browser binary (default /usr/bin/chromium,
// Debian's package; playwright-core never downloads a browser).
//
// The labels, button and link names used below are the contract with the
// server's pages: change them on both sides together.
//
// Exits 0 when every step passed and axe found no serious or critical
// violation; 1 otherwise, after printing what went wrong.

import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import {
  PASSWORD, EMAIL, StepError, check, path, expectPath, expectVisible, goto, clickAndWaitForPage, checkA11y,
  violations, pagesChecked, serverErrors, scriptErrors,
} from './lib.mjs';
import { communitySteps } from './community.mjs';
import { organiserSteps } from './organisers.mjs';
import { keepInTouchSteps } from './keep_in_touch.mjs';
import { notificationSteps } from './notifications.mjs';

// ------------------------------------------------------------------ steps --

let eventUrl = '';

const steps = [
  ['home page links to sign-up', async (page) => {
    await goto(page, '/');
    await checkA11y(page, 'home');
    const signUp = page.getByRole('link', { name: 'Sign up' }).first();
    await expectVisible(signUp, 'link "Sign up"');
    await clickAndWaitForPage(page, signUp);
    expectPath(page, '/signup');
  }],

  ['sign up starts the first-run path: the zone from the device, a week grid, skill chips, then who is here', async (page) => {
    await checkA11y(page, 'signup');
    await page.getByLabel('Display name', { exact: true }).fill('Ana Browser');
    await page.getByLabel('Email', { exact: true }).fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Create account' }));
    expectPath(page, '/welcome');
    const device = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    const zone = await page.getByLabel('Time zone', { exact: true }).inputValue();
    check(zone === device, `the zone field holds the device's zone (${zone}, device ${device})`);
    await page.getByLabel('Time zone', { exact: true }).fill('Europe/Lisbon');
    await page.getByLabel('Wed, Evening, 18–21', { exact: true }).check();
    await page.getByLabel('Fri, Morning, 9–12', { exact: true }).check();
    await page.locator('#f-offers_more').fill('web design, wordpress');
    await checkA11y(page, 'first run');
    await clickAndWaitForPage(page, page.getByRole('button', { name: "Save and see who's here" }));
    expectPath(page, '/welcome/next');
    await expectVisible(page.getByRole('heading', { name: 'People to work alongside' }), 'the suggestions');
    await checkA11y(page, 'first run: who is here');
    await clickAndWaitForPage(page, page.getByRole('link', { name: 'Go to my dashboard' }));
    expectPath(page, '/dashboard');
    await expectVisible(page.getByRole('heading', { level: 1 }).first(), 'a level-1 heading');
    await checkA11y(page, 'dashboard');
  }],

  ['dashboard links to the profile editor', async (page) => {
    await clickAndWaitForPage(page, page.getByRole('link', { name: 'Edit profile' }).first());
    expectPath(page, '/profile/edit');
    await checkA11y(page, 'profile edit');
  }],

  ['an invalid availability is reported next to the field, input kept', async (page) => {
    await page.getByLabel('Trade', { exact: true }).fill('Web designer');
    await page.getByLabel('Bio', { exact: true }).fill('I build small, fast websites for local shops and cafés.');
    await page.getByLabel('Skills I offer', { exact: true }).fill('web design, wordpress');
    await page.getByLabel('Help I want', { exact: true }).fill('seo, copywriting');
    await page.getByLabel('City', { exact: true }).fill('Lisbon');
    await page.getByLabel("When I'm usually free", { exact: true }).fill('Someday 9-10');

    const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Save profile' }) });
    // Skip the browser's own constraint checks (min=, required), which would
    // stop the submit: this step is about the server's validation messages.
    await form.evaluate((f) => { f.noValidate = true; });
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Save profile' }));

    // The error sits in the field's own block, beside what was typed.
    const field = page.locator('.field.has-error').filter({ has: page.getByLabel("When I'm usually free", { exact: true }) });
    await expectVisible(field.locator('.error'), 'the error next to the availability field');
    const typed = await page.getByLabel("When I'm usually free", { exact: true }).inputValue();
    check(typed === 'Someday 9-10', `the availability keeps what was typed, got ${JSON.stringify(typed)}`);
    const trade = await page.getByLabel('Trade', { exact: true }).inputValue();
    check(trade === 'Web designer', `"Trade" should keep "Web designer" after a failed save, got ${JSON.stringify(trade)}`);
    await checkA11y(page, 'profile edit (with errors)');
  }],

  ['a valid profile saves and shows on /profile', async (page) => {
    await page.getByLabel("When I'm usually free", { exact: true }).fill('');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Save profile' }));
    expectPath(page, '/profile');
    await expectVisible(page.getByText('Web designer').first(), 'text "Web designer"');
    await expectVisible(page.getByText('Lisbon').first(), 'text "Lisbon"');
    await checkA11y(page, 'profile');
  }],

  ['a photo: a file that is not a picture is refused by the field, a picture replaces the initials', async (page) => {
    await clickAndWaitForPage(page, page.getByRole('link', { name: 'Add a photo' }));
    expectPath(page, '/profile/photo');
    await page.getByLabel('A photo of you').setInputFiles('README.md');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Upload photo' }));
    await expectVisible(page.getByText("This file isn't a picture we can read."), 'the error next to the field');
    check(await page.getByLabel('A photo of you').getAttribute('aria-invalid') === 'true', 'the field is marked invalid');
    await checkA11y(page, 'photo refused');
    await page.getByLabel('A photo of you').setInputFiles('crates/app/assets/icon-512.png');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Upload photo' }));
    await expectVisible(page.getByText('Saved.'), 'the confirmation');
    const src = await page.locator('details.account > summary img.avatar').getAttribute('src');
    check(/^\/photos\/[0-9a-f]{32}\/64$/.test(src || ''), `the account menu shows the photo (${src})`);
    const loaded = await page.locator('.photo-now img.avatar').evaluate((img) => img.complete && img.naturalWidth === 256);
    check(loaded, 'the photo loads at 256 px');
  }],

  ['members search page', async (page) => {
    await goto(page, '/members?skill=wordpress');
    await expectVisible(page.getByRole('heading', { level: 1 }).first(), 'a level-1 heading');
    const skill = page.getByLabel('Skill', { exact: true });
    await expectVisible(skill.first(), 'a field labelled "Skill"');
    const searchForms = await page.locator('form').filter({ has: skill }).count();
    check(searchForms > 0, 'the "Skill" field is not inside a form');
    await checkA11y(page, 'members');
  }],

  ['six places, the current one marked; the account menu apart; a phone folds it all into a menu', async (page) => {
    await goto(page, '/venues');
    const main = page.getByRole('navigation', { name: 'Main' });
    const places = await main.locator('.places > li > a').allInnerTexts();
    check(places.length <= 6, `at most six places, got ${JSON.stringify(places)}`);
    check(await main.getByRole('link', { name: 'Meet' }).getAttribute('aria-current') === 'true', 'Meet is the current place');
    check(await page.getByRole('navigation', { name: 'Meet' }).getByRole('link', { name: 'Venues' }).getAttribute('aria-current') === 'page', 'Venues is the current page');
    // On a phone, without JavaScript, the menu opens and leads on.
    const phone = await page.context().browser().newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    try {
      const p = await phone.newPage();
      await p.context().addCookies(await page.context().cookies());
      await goto(p, '/dashboard');
      check(!(await p.getByRole('link', { name: 'Focus sessions' }).isVisible()), 'the menu starts folded');
      await p.getByText('Menu', { exact: true }).click();
      await clickAndWaitForPage(p, p.getByRole('link', { name: 'Focus sessions' }));
      expectPath(p, '/bookings');
      // No page scrolls sideways on a phone, tables included.
      for (const route of ['/dashboard', '/bookings', '/calendar?view=month', '/calendar?view=week', '/referrals/report', '/contacts', '/settings', '/help', '/venues', '/goals']) {
        await goto(p, route);
        const width = await p.evaluate(() => document.documentElement.scrollWidth);
        check(width <= 390, `${route} is ${width} px wide on a 390 px phone`);
      }
    } finally {
      await phone.close();
    }
  }],

  ['on a phone in the dark scheme the main pages turn dark, keep their contrast and have 44 px tap targets', async (page) => {
    const context = await page.context().browser().newContext({ bypassCSP: true, colorScheme: 'dark', viewport: { width: 390, height: 844 } });
    const dark = await context.newPage();
    try {
      await goto(dark, '/login');
      await dark.getByLabel('Email', { exact: true }).fill(EMAIL);
      await dark.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await clickAndWaitForPage(dark, dark.getByRole('button', { name: 'Log in' }));
      for (const route of ['/dashboard', '/events', '/calendar', '/bookings', '/groups', '/goals', '/referrals', '/contacts', '/settings', '/venues', '/notifications', '/discover']) {
        await goto(dark, route);
        const bg = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
        check(bg === 'rgb(20, 26, 28)', `${route} follows the dark scheme (background ${bg})`);
        await checkA11y(dark, `dark: ${route}`);
        // Tap targets on a phone: every button, button-like link and field at least 44 px tall.
        const small = await dark.evaluate(() => [...document.querySelectorAll(
          'button:not(.link), a.button, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), summary, a.slot')]
          .filter((el) => el.offsetParent !== null)
          .map((el) => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])
          .filter(([, h]) => h < 43.5));
        check(small.length === 0, `${route}: tap targets under 44 px: ${JSON.stringify(small)}`);
      }
    } finally {
      await context.close();
    }
  }],

  ['log out returns to the home page', async (page) => {
    await page.locator('details.account > summary').click();
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Log out' }).first());
    expectPath(page, '/');
  }],

  ['log back in', async (page) => {
    await goto(page, '/login');
    await checkA11y(page, 'login');
    await page.getByLabel('Email', { exact: true }).fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Log in' }));
    check(path(page) !== '/login', `still at ${page.url()} after logging in`);
    await expectVisible(page.locator('details.account > summary'), 'the account menu after logging in');
  }],

  ['create a fortnightly event', async (page) => {
    await goto(page, '/events');
    await checkA11y(page, 'events');
    await goto(page, '/events/new');
    await checkA11y(page, 'new event');
    await page.getByLabel('Title', { exact: true }).fill('Fortnightly library evening');
    await page.getByLabel('Starts', { exact: true }).fill('2027-03-17T18:00');
    await page.getByLabel('Time zone', { exact: true }).selectOption('Europe/Berlin');
    await page.getByLabel('Repeats', { exact: true }).selectOption('fortnightly');
    // Each kind of place shows only its own fields.
    await page.getByLabel('In person or online', { exact: true }).selectOption('virtual');
    check(await page.getByLabel('Video link', { exact: true }).isVisible(), 'an online event asks for a video link');
    check(!(await page.getByLabel('Place', { exact: true }).isVisible()), 'an online event asks for no place');
    await page.getByLabel('In person or online', { exact: true }).selectOption('in_person');
    check(!(await page.getByLabel('Video link', { exact: true }).isVisible()), 'an in-person event asks for no video link');
    await page.getByLabel('Place', { exact: true }).fill('Stadtbibliothek');
    await page.getByLabel('City', { exact: true }).fill('Berlin');
    await page.getByLabel('Show it to visitors without an account', { exact: true }).check();
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Create event' }));
    check(path(page).startsWith('/events/'), `expected an event page, at ${page.url()}`);
    await expectVisible(page.getByText('every two weeks on Wednesday at 18:00 Berlin time'), 'the schedule in words');
    eventUrl = page.url();
    await page.getByLabel('My goal for this session', { exact: true }).fill('Plan the Q2 newsletters');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Going', exact: true }));
    await expectVisible(page.getByText("You're going."), 'confirmation of the answer');
    check(await page.getByRole('button', { name: 'Going', exact: true }).getAttribute('aria-pressed') === 'true',
      'one tap answers, and the answer given shows as the pressed button');
    await checkA11y(page, 'event');
  }],

  ['a second member answers and sees both goals', async (page) => {
    const context = await page.context().browser().newContext({ bypassCSP: true });
    const other = await context.newPage();
    try {
      await goto(other, '/signup');
      await other.getByLabel('Display name', { exact: true }).fill('Second Member');
      await other.getByLabel('Email', { exact: true }).fill(`second-${EMAIL}`);
      await other.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await clickAndWaitForPage(other, other.getByRole('button', { name: 'Create account' }));
      await goto(other, new URL(eventUrl).pathname);
      await other.getByLabel('My goal for this session', { exact: true }).fill('Refresh my portfolio');
      await clickAndWaitForPage(other, other.getByRole('button', { name: 'Going', exact: true }));
      await expectVisible(other.getByText('Plan the Q2 newsletters'), "the first member's goal");
      await expectVisible(other.getByText('Refresh my portfolio'), 'my own goal');
      await checkA11y(other, 'event (second member)');
    } finally {
      await context.close();
    }
    await goto(page, new URL(eventUrl).pathname + new URL(eventUrl).search);
    await expectVisible(page.getByText('Refresh my portfolio'), "the second member's goal, seen by the host");
  }],

  ['a visitor opens the shared link, signs up from it and is going', async (page) => {
    const context = await page.context().browser().newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
    const visitor = await context.newPage();
    try {
      await goto(visitor, new URL(eventUrl).pathname);
      await expectVisible(visitor.getByRole('heading', { name: 'Fortnightly library evening' }), 'the public event page');
      await expectVisible(visitor.getByText('Berlin time').first(), "the time in the event's own zone, named");
      check(await visitor.locator('meta[property="og:title"]').count() === 1, 'an Open Graph title for link previews');
      const wide = await visitor.evaluate(() => document.documentElement.scrollWidth);
      check(wide <= 390, `the public event page scrolls sideways on a phone (${wide} px)`);
      await checkA11y(visitor, 'public event (visitor, phone)');
      await clickAndWaitForPage(visitor, visitor.getByRole('button', { name: "I'm going" }));
      check(path(visitor) === '/signup', `"I'm going" leads to sign-up, at ${visitor.url()}`);
      await visitor.getByLabel('Display name', { exact: true }).fill('Visiting Member');
      await visitor.getByLabel('Email', { exact: true }).fill(`visitor-${EMAIL}`);
      await visitor.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await clickAndWaitForPage(visitor, visitor.getByRole('button', { name: 'Create account' }));
      check(path(visitor) === new URL(eventUrl).pathname, `back on the event after signing up, at ${visitor.url()}`);
      await expectVisible(visitor.getByText("You're going."), 'the answer the visitor asked for, made');
    } finally {
      await context.close();
    }
  }],

  ['download the .ics', async (page) => {
    await goto(page, new URL(eventUrl).pathname);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Add to my calendar (.ics)' }).click(),
    ]);
    check(download.suggestedFilename() === 'fortnightly-library-evening.ics',
      `expected fortnightly-library-evening.ics, got ${download.suggestedFilename()}`);
    const ics = readFileSync(await download.path(), 'utf8');
    for (const line of ['BEGIN:VTIMEZONE', 'TZID:Europe/Berlin', 'RRULE:FREQ=WEEKLY;INTERVAL=2',
      'DTSTART;TZID=Europe/Berlin:20270317T180000', 'SUMMARY:Fortnightly library evening']) {
      check(ics.includes(line), `${line} missing from the downloaded .ics`);
    }
    // browser-test.sh runs the independent parser over it.
    if (process.env.ICS_OUT) writeFileSync(process.env.ICS_OUT, ics);
    await goto(page, '/events/import');
    await checkA11y(page, 'import an event');
  }],

  ['turn on the calendar feed', async (page) => {
    await goto(page, '/settings');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Turn on my calendar feed' }));
    await expectVisible(page.getByText(/\/feeds\/alcal_/), 'the new feed address');
    await checkA11y(page, 'settings (calendar feed)');
  }],

  ['find a time: dates nobody is free on are explained, input kept', async (page) => {
    await goto(page, '/members?q=Second');
    await page.getByLabel('Invite Second Member to find a time', { exact: true }).check();
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Find a time with the selected members' }));
    await expectVisible(page.getByText('With: Second Member.'), 'the invitee named');
    await checkA11y(page, 'find a time');
    await page.getByLabel('What for', { exact: true }).fill('Monthly check-in');
    await page.getByLabel('From', { exact: true }).fill('2027-05-03');
    await page.getByLabel('Until', { exact: true }).fill('2027-05-09');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Propose times' }));
    // Neither member has said when they are usually free.
    await expectVisible(page.getByText(/Nobody's availability fits in those dates/).first(), 'why no times were proposed');
    check(await page.getByLabel('What for', { exact: true }).inputValue() === 'Monthly check-in', 'the title was kept');
    await checkA11y(page, 'find a time (with errors)');
  }],

  ['the calendar shows the event', async (page) => {
    await goto(page, '/calendar?view=month&date=2027-03-01');
    await expectVisible(page.getByRole('link', { name: /Fortnightly library evening/ }).first(), 'the event in the month grid');
    await checkA11y(page, 'calendar (month)');
    await goto(page, '/calendar?view=week&date=2027-03-17');
    await checkA11y(page, 'calendar (week)');
  }],

  ['find partners, with reasons, and ask one', async (page) => {
    await goto(page, '/partners?mode=virtual');
    await expectVisible(page.getByRole('link', { name: 'Second Member' }).first(), 'Second Member suggested');
    await checkA11y(page, 'find partners');
    // The kind is chosen on the request itself, whatever the filter said.
    await page.getByLabel('Partner with Second Member for').selectOption('accountability');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Ask Second Member to partner' }));
    expectPath(page, '/partnerships');
    await expectVisible(page.getByText('waiting for an answer'), 'the request, waiting');
    await expectVisible(page.getByText(/accountability/i).first(), 'the request is for accountability');
    await checkA11y(page, 'my partners');
  }],

  ['two members book the same focus slot and both see their match', async (page) => {
    // The server locks slots an hour ahead (see browser-test.sh), so this slot pairs at once.
    const target = new Date(Math.ceil((Date.now() + 20 * 60_000) / 900_000) * 900_000);
    const bookAs = async (p, goal) => {
      await goto(p, '/bookings');
      const hint = await p.locator('#h-time').innerText();
      const zone = hint.match(/in (\S+)\.$/)[1];
      const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
        timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
      }).formatToParts(target).map((x) => [x.type, x.value]));
      await p.getByLabel('Date', { exact: true }).fill(`${parts.year}-${parts.month}-${parts.day}`);
      await p.getByLabel('Start', { exact: true }).fill(`${parts.hour}:${parts.minute}`);
      await p.getByLabel('Length', { exact: true }).selectOption('25');
      await p.getByLabel('Goal', { exact: true }).fill(goal);
      await clickAndWaitForPage(p, p.getByRole('button', { name: 'Book this slot' }));
      expectPath(p, '/bookings');
    };
    await bookAs(page, 'Send three proposals');
    await checkA11y(page, 'focus sessions');
    const context = await page.context().browser().newContext({ bypassCSP: true });
    const other = await context.newPage();
    try {
      await goto(other, '/login');
      await other.getByLabel('Email', { exact: true }).fill(`second-${EMAIL}`);
      await other.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await clickAndWaitForPage(other, other.getByRole('button', { name: 'Log in' }));
      // The board counts Ana's booking (without naming her: she is no favourite) and picking
      // the slot fills the form in.
      await goto(other, '/bookings');
      const chip = other.locator('a.slot.booked').filter({ hasText: '1 booked' }).first();
      await expectVisible(chip, 'the booked slot on the board, counted');
      check(!(await chip.innerText()).includes('Ana'), 'the board names nobody but favourites');
      const chipTime = (await chip.locator('.time').innerText()).trim();
      await clickAndWaitForPage(other, chip);
      check(await other.getByLabel('Start', { exact: true }).inputValue() === chipTime, `the form is filled in for ${chipTime}`);
      await checkA11y(other, 'focus sessions (board)');
      await bookAs(other, 'Clear my inbox');
      await expectVisible(other.getByText('Ana Browser', { exact: true }), 'the match, on the second member\'s bookings');
      await clickAndWaitForPage(other, other.getByRole('link', { name: 'Open the session' }));
      await expectVisible(other.getByText('Send three proposals').first(), "the partner's goal on the session");
      await checkA11y(other, 'focus session (matched)');
    } finally {
      await context.close();
    }
    await goto(page, '/bookings');
    await expectVisible(page.getByText('Second Member', { exact: true }), 'the match, on the first member\'s bookings');
  }],

  ['two pages in one room see each other\'s chat and the same remaining time', async (page) => {
    const enter = async (p) => {
      await goto(p, '/bookings');
      await clickAndWaitForPage(p, p.getByRole('link', { name: 'Open the session' }).first());
      await clickAndWaitForPage(p, p.getByRole('link', { name: 'Enter the room' }));
      await expectVisible(p.getByText('Connected: you are in the room.'), 'the live connection');
    };
    const seconds = (text) => {
      const m = text.match(/(\d+):(\d\d)/);
      check(m, `a clock on the page, got "${text}"`);
      return Number(m[1]) * 60 + Number(m[2]);
    };
    await enter(page);
    await checkA11y(page, 'room');
    // One clock across the site (24 hours), and only the timer commands its state allows.
    const plan = await page.locator('#plan').innerText();
    check(/\d\d:\d\d/.test(plan) && !/AM|PM/i.test(plan), `the plan in 24-hour time, got "${plan}"`);
    if (await page.locator('#host-controls').count()) {
      const shown = await page.locator('#host-controls button:visible').allInnerTexts();
      check(!(shown.includes('Pause') && shown.includes('Resume')), `pause and resume never both offered: ${shown}`);
      check(!(shown.includes('Start now') && shown.includes('Pause')), `start and pause never both offered: ${shown}`);
    }
    const context = await page.context().browser().newContext({ bypassCSP: true });
    const other = await context.newPage();
    other.on('pageerror', (err) => scriptErrors.push(`${other.url()}: ${err.message}`));
    try {
      await goto(other, '/login');
      await other.getByLabel('Email', { exact: true }).fill(`second-${EMAIL}`);
      await other.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await clickAndWaitForPage(other, other.getByRole('button', { name: 'Log in' }));
      await enter(other);
      await expectVisible(page.locator('#present').getByText('Second Member'), 'the other member, present');
      await expectVisible(other.locator('#present').getByText('Ana Browser'), 'Ana, present');
      await page.getByLabel('Message', { exact: true }).fill('Starting on the proposals now');
      await page.getByRole('button', { name: 'Send' }).click();
      await expectVisible(other.locator('#chat').getByText('Starting on the proposals now'), "Ana's chat, on the other page");
      await other.getByLabel('Message', { exact: true }).fill('Inbox zero by the break');
      await other.getByRole('button', { name: 'Send' }).click();
      await expectVisible(page.locator('#chat').getByText('Inbox zero by the break'), 'the reply, on Ana\'s page');
      check((await page.getByLabel('Message', { exact: true }).inputValue()) === '', 'the sent message leaves the box');
      // One server clock: both pages count down to the same instant.
      const [mine, theirs] = await Promise.all([page.locator('#remaining').innerText(), other.locator('#remaining').innerText()]);
      check(Math.abs(seconds(mine) - seconds(theirs)) <= 2, `the same remaining time (${mine} and ${theirs})`);
      check(seconds(mine) > 60, `the session is still ahead (${mine})`);
      // A dropped connection is said plainly, and the page reconnects and catches up by itself.
      let live = null;
      await page.routeWebSocket(/\/room\/ws/, (ws) => { live = { ws, server: ws.connectToServer() }; });
      await goto(page, path(page) + new URL(page.url()).search);
      await expectVisible(page.getByText('Connected: you are in the room.'), 'connected through the route');
      check(live, 'the room connection went through the test route');
      await live.ws.close({ code: 4000, reason: 'test drop' });
      await live.server.close({ code: 1000, reason: 'test drop' });
      await expectVisible(page.getByText(/Connection lost\. Reconnecting/), 'the drop, said plainly');
      await other.getByLabel('Message', { exact: true }).fill('Are you back?');
      await other.getByRole('button', { name: 'Send' }).click();
      await expectVisible(page.getByText('Connected: you are in the room.'), 'reconnected by itself');
      await expectVisible(page.locator('#chat').getByText('Are you back?'), 'what was said meanwhile, caught up');
      // A network that blocks WebSockets: the page says so plainly, and gets in once it can.
      const blocked = await page.context().newPage();
      let block = true;
      await blocked.routeWebSocket(/\/room\/ws/, (ws) => { if (block) ws.close({ code: 1000, reason: 'blocked' }); else ws.connectToServer(); });
      await goto(blocked, path(page) + new URL(page.url()).search);
      await expectVisible(blocked.getByText(/WebSockets may be blocked/), 'the blocked connection, explained');
      await checkA11y(blocked, 'room (WebSockets blocked)');
      block = false;
      await expectVisible(blocked.getByText('Connected: you are in the room.'), 'in, once the network lets it');
      await blocked.close();
    } finally {
      await context.close();
    }
  }],

  ...communitySteps,
  ...organiserSteps,
  ...keepInTouchSteps,
  ...notificationSteps,
];

// ------------------------------------------------------------------- main --

async function describePage(page) {
  try {
    const text = (await page.locator('body').innerText({ timeout: 2_000 })).replace(/\s+\n/g, '\n').trim();
    return `  at ${page.url()}\n  page text:\n    ${text.slice(0, 1500).split('\n').join('\n    ')}`;
  } catch {
    return `  at ${page.url()}`;
  }
}

function printViolations() {
  for (const { page, url, rule } of violations) {
    console.log(`\n[${page}] ${rule.id} (${rule.impact}): ${rule.help}`);
    console.log(`  ${url}`);
    console.log(`  ${rule.helpUrl}`);
    for (const node of rule.nodes.slice(0, 10)) {
      console.log(`  - ${node.target.join(' ')}`);
      console.log(`      ${node.html.replace(/\s+/g, ' ').slice(0, 160)}`);
    }
    if (rule.nodes.length > 10) console.log(`  … and ${rule.nodes.length - 10} more`);
  }
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      // The machine has no network beyond loopback: keep Chromium from trying.
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  let failedStep = null;
  try {
    // The pages send a strict Content-Security-Policy; axe is injected as an inline script.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.setDefaultNavigationTimeout(30_000);
    page.on('pageerror', (err) => scriptErrors.push(`${page.url()}: ${err.message}`));
    page.on('response', (response) => {
      const request = response.request();
      if (request.isNavigationRequest() && response.status() >= 500) {
        serverErrors.push(`${request.method()} ${response.url()} -> ${response.status()}`);
      }
    });

    for (const [name, run] of steps) {
      try {
        await run(page);
        console.log(`ok   ${name}`);
      } catch (err) {
        console.log(`FAIL ${name}`);
        console.log(`  ${err instanceof StepError ? err.message : err.stack || err}`);
        console.log(await describePage(page));
        failedStep = name;
        break; // later steps build on this one
      }
    }
  } finally {
    await browser.close();
  }

  printViolations();
  for (const e of serverErrors) console.log(`server error: ${e}`);
  for (const e of scriptErrors) console.log(`uncaught script error: ${e}`);

  const problems = [];
  if (failedStep) problems.push(`step failed: ${failedStep}`);
  if (violations.length) problems.push(`${violations.length} serious/critical accessibility violation(s)`);
  if (serverErrors.length) problems.push(`${serverErrors.length} server error(s)`);
  if (scriptErrors.length) problems.push(`${scriptErrors.length} uncaught script error(s)`);
  if (problems.length) {
    console.log(`\nbrowser test: FAILED (${problems.join('; ')}; ${pagesChecked.length} pages checked)`);
    process.exit(1);
  }
  console.log(`\nbrowser test: ok (${pagesChecked.length} pages checked)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
