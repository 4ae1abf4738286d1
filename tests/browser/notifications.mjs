// The walk-through's notification steps: the bell on an open page counts up, without a reload,
// when another member sends a partner request; the centre lists it and marks it read; the
// settings page saves a daily digest, the weekly summary off, and quiet hours.

import { EMAIL, check, expectVisible, goto, clickAndWaitForPage, checkA11y, signIn } from './lib.mjs';

const unread = async (p) => Number((await p.locator('#bell').getAttribute('data-unread')) ?? 'NaN');

export const notificationSteps = [
  ['notifications: the bell counts up on an open page when a partner request comes in', async (page) => {
    const { context, page: third } = await signIn(page, `third-${EMAIL}`);
    try {
      // Third looks at the dashboard and leaves it open; the bell has loaded its count.
      await goto(third, '/dashboard');
      await third.locator('#bell[data-unread]').waitFor({ timeout: 10_000 });
      const before = await unread(third);
      check(Number.isInteger(before), `the bell shows a count, got ${before}`);

      // Ana asks Third to partner.
      await goto(page, '/members?q=Third');
      await clickAndWaitForPage(page, page.getByRole('link', { name: 'Third Member' }).first());
      await page.getByLabel('Kind of partner', { exact: true }).selectOption('coworking');
      await clickAndWaitForPage(page, page.getByRole('button', { name: 'Ask Third Member to partner' }));

      // Without a reload, Third's bell catches up within a poll or two.
      let after = before;
      for (let i = 0; i < 40 && after === before; i++) {
        await third.waitForTimeout(1_000);
        after = await unread(third);
      }
      check(after === before + 1, `the bell went from ${before} to ${after}, expected ${before + 1}`);
      await expectVisible(third.locator('#bell .badge'), 'the unread badge');

      // The centre lists it; marking it read counts the bell down.
      await clickAndWaitForPage(third, third.locator('#bell'));
      await checkA11y(third, 'notifications');
      const item = third.locator('li.unread').filter({ hasText: 'Ana Browser' }).first();
      await expectVisible(item, 'the partner request, unread');
      await clickAndWaitForPage(third, item.getByRole('button', { name: /^Mark read/ }));
      await third.locator('#bell[data-unread]').waitFor({ timeout: 10_000 });
      check(await unread(third) === after - 1, `one fewer unread after marking it read, got ${await unread(third)}`);

      // Partner news in a daily email from now on, no Monday summary, and quiet evenings.
      await goto(third, '/settings/notifications');
      await checkA11y(third, 'notification settings');
      const partners = third.getByLabel('Partner requests and answers, and focus-session matches', { exact: true });
      await partners.selectOption('daily');
      const summary = third.getByLabel(/^Weekly summary on Monday morning/);
      check(await summary.locator('option').count() === 2, 'the summary is weekly or off');
      await summary.selectOption('off');
      await third.getByLabel('From', { exact: true }).fill('21:00');
      await third.getByLabel('Until', { exact: true }).fill('07:00');
      await clickAndWaitForPage(third, third.getByRole('button', { name: 'Save' }));
      await expectVisible(third.getByText('Saved.'), 'the settings saved');
      check(await partners.inputValue() === 'daily', 'the choice kept');
      check(await summary.inputValue() === 'off', 'the summary choice kept');
    } finally {
      await context.close();
    }
  }],
];
