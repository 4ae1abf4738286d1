// The walk-through's referral and contact steps: a referral from one member to another, won with
// a value, in both members' reports and the group's; and a contact added from an event, falling
// overdue as weeks pass and coming back in touch after a new event. Run by signup.mjs after the
// community steps (the three members share the invite-only group by then).

import { EMAIL, check, expectVisible, goto, clickAndWaitForPage, checkA11y, timeshift, signIn } from './lib.mjs';

const GROUP = 'Lisbon Referral Circle';

// The report as it stands for this month, mine or the group's.
async function report(page, whose) {
  await goto(page, '/referrals/report');
  await page.getByLabel('Whose', { exact: true }).selectOption({ label: whose });
  await clickAndWaitForPage(page, page.getByRole('button', { name: 'Show' }));
  return page.locator('table').innerText();
}

// A one-off online session tomorrow at 10:00 UTC, hosted by `host`, that `guest` goes to.
async function session(host, guest, title) {
  await goto(host, '/events/new');
  await host.getByLabel('Title', { exact: true }).fill(title);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await host.getByLabel('Starts', { exact: true }).fill(`${tomorrow}T10:00`);
  await host.getByLabel('Time zone', { exact: true }).selectOption('UTC');
  await host.getByLabel('In person or online', { exact: true }).selectOption('virtual');
  await clickAndWaitForPage(host, host.getByRole('button', { name: 'Create event' }));
  const url = new URL(host.url()).pathname;
  await goto(guest, url);
  await clickAndWaitForPage(guest, guest.getByRole('button', { name: 'Going', exact: true }));
  await expectVisible(guest.getByText("You're going."), `the guest going to "${title}"`);
  return url;
}

export const keepInTouchSteps = [
  ['referrals: a slip given, won with a value and thanked shows in both reports and the group\'s', async (page) => {
    const { context, page: second } = await signIn(page, `second-${EMAIL}`);
    try {
      await goto(second, '/referrals');
      await checkA11y(second, 'referrals');
      await second.getByLabel('To', { exact: true }).selectOption({ label: 'Ana Browser' });
      await second.getByLabel('Prospect', { exact: true }).fill("Rita's Bakery");
      await second.getByLabel('How to reach them', { exact: true }).fill('rita@bakery.example, +351 912 000 111');
      await second.getByLabel('What they need', { exact: true }).fill('A shop website before the summer.');
      await second.getByLabel('Temperature', { exact: true }).selectOption('hot');
      await second.getByLabel('Within a group (for its report)', { exact: true }).selectOption({ label: GROUP });
      await clickAndWaitForPage(second, second.getByRole('button', { name: 'Send the referral' }));
      await expectVisible(second.getByRole('heading', { name: "Rita's Bakery", level: 1 }), 'the slip sent');

      // Ana, the receiver, moves it to won with a value, and thanks the giver.
      await goto(page, '/referrals');
      await clickAndWaitForPage(page, page.getByRole('link', { name: "Rita's Bakery" }));
      await expectVisible(page.getByText('rita@bakery.example, +351 912 000 111'), "the prospect's details, for the receiver");
      await checkA11y(page, 'referral');
      await page.getByLabel('Now', { exact: true }).selectOption('won');
      await page.getByLabel('Value, if won', { exact: true }).fill('1200');
      await page.getByLabel('Currency, if won', { exact: true }).fill('EUR');
      await clickAndWaitForPage(page, page.getByRole('button', { name: 'Save', exact: true }));
      await expectVisible(page.getByText('won 1200.00 EUR'), 'the slip won, with its value');
      await clickAndWaitForPage(page, page.getByRole('button', { name: 'Thank Second Member for closed business' }));
      await expectVisible(page.getByText('· thanked'), 'the giver thanked');

      const mine = await report(page, 'Mine');
      check(mine.includes('Ana Browser') && mine.includes('1200.00 EUR'), `Ana's report shows the business won: ${mine}`);
      await checkA11y(page, 'referral report');
      const theirs = await report(second, 'Mine');
      check(theirs.includes('Second Member') && theirs.includes('1200.00 EUR'), `Second's report credits the giver: ${theirs}`);
      const group = await report(page, GROUP);
      check(group.includes('Ana Browser') && group.includes('Second Member') && group.includes('Third Member'), `the group's report lists its members: ${group}`);
      await expectVisible(page.getByText('Won in all: 1200.00 EUR.'), "the group's total");
      await checkA11y(page, 'group referral report');
    } finally {
      await context.close();
    }
  }],

  ['contacts: added from an event, overdue as weeks pass, back in touch after a new event', async (page) => {
    const { context, page: third } = await signIn(page, `third-${EMAIL}`);
    try {
      // A coffee with Third seven weeks ago; Ana adds the people who were there.
      const coffee = await session(page, third, 'Coffee with Third');
      timeshift('shift-event', 'Coffee with Third', '50');
      await goto(page, coffee);
      await clickAndWaitForPage(page, page.getByRole('button', { name: 'Add these people to my contacts' }));
      await expectVisible(page.getByText('Added 1 person from the event.', { exact: false }), 'the contact added');
      await checkA11y(page, 'contacts');
      await clickAndWaitForPage(page, page.getByRole('link', { name: 'Third Member' }).first());
      await page.getByLabel('Stay in touch every (days)', { exact: true }).fill('42');
      await clickAndWaitForPage(page, page.getByRole('button', { name: 'Save', exact: true }));
      await checkA11y(page, 'contact');
      const contactUrl = new URL(page.url()).pathname;

      // Added two months ago, last seen at the coffee: six weeks have passed, so it is overdue.
      timeshift('backdate-contacts', '60');
      await goto(page, '/dashboard');
      const overdue = page.locator('[data-overdue]');
      await expectVisible(overdue.getByRole('link', { name: 'Third Member' }), 'Third overdue on the dashboard');
      // The coffee was 49 days ago: due 42 days after it, a week ago (a day either way near midnight).
      check(/\b[678] days ago/.test(await overdue.innerText()), `due six weeks after the coffee: ${await overdue.innerText()}`);

      // A new session together, begun yesterday: in touch again, and off the overdue list.
      await session(page, third, 'Catch-up with Third');
      timeshift('shift-event', 'Catch-up with Third', '2');
      await goto(page, '/dashboard');
      check(await page.locator('[data-overdue]').count() === 0, 'nobody overdue after the catch-up');
      await goto(page, contactUrl);
      // Days read as people write them: "Sat 5 Dec" (the year only when it is another one).
      const yesterday = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' })
        .format(new Date(Date.now() - 86_400_000)).replace(',', '');
      await expectVisible(page.getByText(`Last in touch: ${yesterday}`, { exact: false }), 'the last contact moved to the catch-up');
    } finally {
      await context.close();
    }
  }],
];
