// The walk-through's organiser steps: an announcement pinned on the group's page, and the door
// at a meeting about to start (a member going has a check-in code; the host taps them in).
// Run by signup.mjs after the community steps, whose group and second member they use.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMAIL, PASSWORD, check, expectVisible, goto, clickAndWaitForPage, checkA11y } from './lib.mjs';

// The newest mail to `to` holding `needle`, quoted-printable soft line breaks undone (the
// server writes mail as .eml files in MAIL_DIR, which browser-test.sh passes).
function mailTo(to, needle) {
  const dir = process.env.MAIL_DIR || '';
  check(dir, 'MAIL_DIR names the server\'s mail folder');
  const found = readdirSync(dir).filter((f) => f.endsWith('.eml'))
    .map((f) => readFileSync(join(dir, f), 'utf8').replace(/=\r?\n/g, ''))
    .filter((m) => m.includes(`To: ${to}`) && m.includes(needle));
  check(found.length > 0, `a mail to ${to} about ${needle}`);
  return found[found.length - 1];
}
import { groupPath } from './community.mjs';

export const organiserSteps = [
  ['an announcement to every member, pinned on the group page', async (page) => {
    check(groupPath(), 'the community steps made a group');
    await goto(page, groupPath());
    await page.getByText('Announce to every member', { exact: true }).click();
    await page.getByLabel('Your announcement', { exact: true }).fill('**Room change**: from next week we meet upstairs.');
    await clickAndWaitForPage(page, page.getByRole('button', { name: /^Send to \d+ members?$/ }));
    await expectVisible(page.getByText('Sent to every member', { exact: false }), 'the announcement, confirmed');
    await expectVisible(page.getByText('Room change', { exact: true }), 'the announcement, pinned, its Markdown rendered');
    await checkA11y(page, 'group with an announcement');
  }],

  ['a roster brought in: every row checked before anything is sent, then its progress', async (page) => {
    await goto(page, groupPath());
    await clickAndWaitForPage(page, page.getByRole('link', { name: 'Bring a list in' }));
    await page.getByLabel('Or paste addresses', { exact: true })
      .fill('Rita Sousa <rita.roster@example.org>\nnot an address\numa.roster@example.org');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Check the list' }));
    await expectVisible(page.getByText('Checked: 2 to invite, 1 left out', { exact: true }), 'the check, counted');
    await expectVisible(page.getByText("This isn't an email address.", { exact: true }), 'why a row is left out');
    await checkA11y(page, 'roster checked');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Send 2 invitations' }));
    await expectVisible(page.getByText('2 invitations are on their way.', { exact: true }), 'sent');
    await expectVisible(page.locator('td[data-label="Invited"]', { hasText: '2' }), "the import's progress");
    await checkA11y(page, 'roster imports');
  }],

  ["a group's calendar imported from another site: its series arrives with its zone", async (page) => {
    await goto(page, groupPath());
    await clickAndWaitForPage(page, page.getByRole('link', { name: 'Import a calendar' }));
    const ics = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Microsoft Corporation//Outlook 16.0//EN',
      'BEGIN:VEVENT', 'UID:browser-weekly@example.org', 'SUMMARY:Imported morning', 'DTSTART;TZID=W. Europe Standard Time:20270106T090000',
      'DURATION:PT2H', 'RRULE:FREQ=WEEKLY;COUNT=4', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:browser-allday@example.org', 'SUMMARY:Holiday', 'DTSTART;VALUE=DATE:20270801', 'END:VEVENT',
      'END:VCALENDAR', ''].join('\r\n');
    await page.getByLabel('Calendar file (.ics)', { exact: true })
      .setInputFiles({ name: 'group.ics', mimeType: 'text/calendar', buffer: Buffer.from(ics) });
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Import the calendar' }));
    await expectVisible(page.getByText('1 new event, 0 updated, 0 already as the file has them, 1 left out', { exact: false }), 'the report');
    await expectVisible(page.getByText('Holiday', { exact: true }), 'what was left out, named');
    await checkA11y(page, 'calendar imported');
  }],

  ["the group's console: members with their attendance, and the roster to download", async (page) => {
    await goto(page, groupPath());
    await clickAndWaitForPage(page, page.getByRole('link', { name: 'Console', exact: true }));
    await expectVisible(page.getByRole('heading', { name: 'Members', exact: true }), 'the members section');
    await expectVisible(page.getByRole('link', { name: 'Members (CSV)' }), 'the roster download');
    await expectVisible(page.getByRole('cell', { name: 'organiser', exact: true }), "the organiser's row");
    await checkA11y(page, 'group console');
  }],

  ['at the door: a member going has a check-in code, and the host taps them in', async (page) => {
    // A breakfast at a café, starting in half an hour.
    const start = new Date(Date.now() + 30 * 60_000).toISOString().slice(0, 16);
    await goto(page, '/events/new');
    await page.getByLabel('Title', { exact: true }).fill('Door test breakfast');
    await page.getByLabel('Starts', { exact: true }).fill(start);
    await page.getByLabel('Time zone', { exact: true }).selectOption('UTC');
    await page.getByLabel('In person or online', { exact: true }).selectOption('in_person');
    await page.getByLabel('Place', { exact: true }).fill('Café Sossego');
    await page.getByLabel('City', { exact: true }).fill('Lisbon, Portugal');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Create event' }));
    const eventPath = new URL(page.url()).pathname;
    check(eventPath.startsWith('/events/'), `expected the new event's page, at ${page.url()}`);

    const context = await page.context().browser().newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
    try {
      const other = await context.newPage();
      await goto(other, '/login');
      await other.getByLabel('Email', { exact: true }).fill(`second-${EMAIL}`);
      await other.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await clickAndWaitForPage(other, other.getByRole('button', { name: 'Log in' }));
      await goto(other, eventPath);
      await clickAndWaitForPage(other, other.getByRole('button', { name: 'Going', exact: true }));
      await other.getByText('My check-in code', { exact: true }).click();
      await expectVisible(other.locator('.checkin-code svg'), "the member's check-in code");
      await checkA11y(other, 'event with a check-in code (phone)');
    } finally {
      await context.close();
    }

    await goto(page, eventPath);
    await clickAndWaitForPage(page, page.getByRole('link', { name: 'At the door: check people in' }));
    await expectVisible(page.getByText('0 of 1 here', { exact: false }), 'nobody here yet');
    await checkA11y(page, 'door list');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Second Member', exact: true }));
    await expectVisible(page.getByText('1 of 1 here', { exact: false }), 'one here after a tap');
    await expectVisible(page.getByRole('button', { name: /✓ Second Member/ }), 'marked present');
  }],

  ["a visitor comes without an account: a name and an address, a link by mail, a seat", async (page) => {
    const start = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 11) + '18:00';
    await goto(page, '/events/new');
    await page.getByLabel('Title', { exact: true }).fill('Open studio evening');
    await page.getByLabel('Starts', { exact: true }).fill(start);
    await page.getByLabel('Time zone', { exact: true }).selectOption('UTC');
    await page.getByLabel('In person or online', { exact: true }).selectOption('in_person');
    await page.getByLabel('Place', { exact: true }).fill('Café Sossego');
    await page.getByLabel('City', { exact: true }).fill('Lisbon, Portugal');
    await page.getByLabel('Who can find it', { exact: true }).selectOption('public');
    await page.getByLabel('Show it to visitors without an account', { exact: true }).check();
    await page.getByLabel('Let visitors come without an account', { exact: true }).check();
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Create event' }));
    const eventPath = new URL(page.url()).pathname;
    check(eventPath.startsWith('/events/'), `expected the new event's page, at ${page.url()}`);

    const context = await page.context().browser().newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
    try {
      const visitor = await context.newPage();
      await goto(visitor, eventPath);
      await visitor.getByLabel('Your name', { exact: true }).fill('Vera Visitor');
      await visitor.getByLabel('Your email', { exact: true }).fill('vera.visitor@example.org');
      await clickAndWaitForPage(visitor, visitor.getByRole('button', { name: 'Send me the link' }));
      await expectVisible(visitor.getByRole('heading', { name: 'Check your email' }), 'told where the link went');
      await checkA11y(visitor, "visitor's answer sent (phone)");
      let mail = '';
      for (let i = 0; i < 100 && !mail; i++) {
        try { mail = mailTo('vera.visitor@example.org', 'Confirm your place'); } catch { await visitor.waitForTimeout(100); }
      }
      const link = mail.match(/\/answers\/[A-Za-z0-9_-]+/);
      check(link, 'the mail holds the link to confirm');
      await goto(visitor, link[0]);
      await clickAndWaitForPage(visitor, visitor.getByRole('button', { name: 'Confirm my place' }));
      await expectVisible(visitor.getByText('Your place is confirmed. See you there!', { exact: true }), 'confirmed');
      await checkA11y(visitor, "visitor's place (phone)");
    } finally {
      await context.close();
    }
    await goto(page, eventPath);
    await expectVisible(page.getByText('Coming as visitors, without an account', { exact: false }), 'the host sees the visitor');
    await expectVisible(page.getByRole('link', { name: 'vera.visitor@example.org' }), "with the visitor's address");
  }],

  // The walk's first account is the instance's admin.
  ['the admin console: a member found, suspended and let back in; the site renamed everywhere', async (page) => {
    await goto(page, '/dashboard');
    await page.locator('details.account summary').click();
    await clickAndWaitForPage(page, page.getByRole('link', { name: 'Admin', exact: true }));
    await expectVisible(page.getByRole('heading', { name: 'Looking after Alongside' }), 'the overview');
    await checkA11y(page, 'admin overview');
    const tabs = page.getByRole('navigation', { name: 'Admin' });
    await clickAndWaitForPage(page, tabs.getByRole('link', { name: 'Members', exact: true }));
    await page.getByLabel('Find a member by name or email', { exact: true }).fill('second');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Find', exact: true }));
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Suspend Second Member', exact: true }));
    await expectVisible(page.getByText('Suspended: signed out everywhere', { exact: false }), 'the suspension, said');
    await expectVisible(page.getByText('suspended', { exact: true }), 'marked in the list');
    await checkA11y(page, 'admin members');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Lift the suspension Second Member', exact: true }));
    await expectVisible(page.getByText('Suspension lifted', { exact: false }), 'let back in');

    await clickAndWaitForPage(page, tabs.getByRole('link', { name: 'Settings', exact: true }));
    await page.getByLabel('Site name', { exact: true }).fill('Walk Circle');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Save the settings' }));
    await expectVisible(page.getByRole('link', { name: 'Walk Circle', exact: true }), 'the header says the new name');
    await checkA11y(page, 'admin settings');
    await clickAndWaitForPage(page, tabs.getByRole('link', { name: 'Audit log', exact: true }));
    await expectVisible(page.getByText('changed the settings (site name: Walk Circle)', { exact: false }), 'written in the log');
    await expectVisible(page.getByText('suspended Second Member', { exact: false }), 'the suspension, in the log');
    await checkA11y(page, 'admin audit log');
    // Back as it was, for the steps after.
    await clickAndWaitForPage(page, tabs.getByRole('link', { name: 'Settings', exact: true }));
    await page.getByLabel('Site name', { exact: true }).fill('Alongside');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Save the settings' }));
  }],
];
