// The walk-through's community steps: an invite-only group with a discussion, accountability
// partners and the weekly board, and venues. Run by signup.mjs after its own steps.

import { DB_PATH, EMAIL, PASSWORD, check, path, expectPath, expectVisible, goto, clickAndWaitForPage, checkA11y, timeshift } from './lib.mjs';

let groupUrl = '';

// The path of the group the community steps made (for the steps after them).
export function groupPath() {
  return groupUrl;
}

export const communitySteps = [
  ['an invite-only group: a weekly meeting, an invitation link, an ask for help, a helpful reply', async (page) => {
    await goto(page, '/groups');
    await checkA11y(page, 'my groups');
    await clickAndWaitForPage(page, page.getByRole('link', { name: 'Start a group' }));
    await checkA11y(page, 'start a group');
    await page.getByLabel('Name', { exact: true }).fill('Lisbon Referral Circle');
    await page.getByLabel("What it's for", { exact: true }).fill('Freelancers who refer work to each other, meeting weekly.');
    await page.getByLabel('Topics', { exact: true }).fill('referrals, web design');
    await page.getByLabel('In person or online', { exact: true }).selectOption('virtual');
    await page.getByLabel('Visibility', { exact: true }).selectOption('invite');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Start the group' }));
    check(path(page).startsWith('/groups/'), `expected the group's page, at ${page.url()}`);
    groupUrl = new URL(page.url()).pathname;
    await expectVisible(page.getByText('Your group is ready.'), 'the new group, confirmed');
    await checkA11y(page, 'group');

    await clickAndWaitForPage(page, page.getByRole('link', { name: 'Plan a group event' }));
    await page.getByLabel('Title', { exact: true }).fill('Weekly referral circle');
    await page.getByLabel('Starts', { exact: true }).fill('2027-04-07T08:00');
    await page.getByLabel('Time zone', { exact: true }).selectOption('Europe/Lisbon');
    await page.getByLabel('Repeats', { exact: true }).selectOption('weekly');
    await page.getByLabel('In person or online', { exact: true }).selectOption('virtual');
    check(await page.getByLabel('Who can find it', { exact: true }).inputValue() === 'group', 'members only, prefilled for an invite-only group');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Create event' }));
    await expectVisible(page.getByText('every week on Wednesday at 08:00 Lisbon time'), 'the weekly schedule');
    await expectVisible(page.getByRole('link', { name: 'Lisbon Referral Circle' }), 'the event names its group');

    await goto(page, groupUrl);
    await expectVisible(page.getByRole('link', { name: 'Weekly referral circle' }).first(), 'the meeting on the group page');
    await clickAndWaitForPage(page, page.getByRole('link', { name: 'Invite people' }));
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Make an invitation link' }));
    const link = await page.getByLabel('Invitation link', { exact: true }).inputValue();
    check(link.includes('/invites/alinv_'), `an invitation link, got ${link}`);
    await checkA11y(page, 'invite people');
    const invite = new URL(link).pathname;

    // A newcomer follows the link, signs up on the way, and asks for help.
    const asker = await page.context().browser().newContext({ bypassCSP: true });
    const helper = await page.context().browser().newContext({ bypassCSP: true });
    try {
      const a = await asker.newPage();
      await goto(a, invite);
      await checkA11y(a, 'invitation');
      await clickAndWaitForPage(a, a.getByRole('link', { name: 'Sign up to join' }));
      await a.getByLabel('Display name', { exact: true }).fill('Third Member');
      await a.getByLabel('Email', { exact: true }).fill(`third-${EMAIL}`);
      await a.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await clickAndWaitForPage(a, a.getByRole('button', { name: 'Create account' }));
      expectPath(a, invite);
      await clickAndWaitForPage(a, a.getByRole('button', { name: 'Join Lisbon Referral Circle' }));
      await expectVisible(a.getByText("Welcome! You're a member now."), 'welcomed into the group');
      // A checkbox is a box beside its words, not a bar across the form.
      const box = await a.locator('#f-confidential').boundingBox();
      check(box && box.width < 40, `the confidential checkbox is ${box && box.width}px wide`);
      await a.getByLabel('Kind of post', { exact: true }).selectOption('ask');
      await a.getByLabel('Title', { exact: true }).fill('Where do you find good illustrators?');
      await a.getByLabel('Your post', { exact: true }).fill('A client wants **hand-drawn** icons. <script>alert(1)</script>');
      await clickAndWaitForPage(a, a.getByRole('button', { name: 'Post' }));
      await expectVisible(a.getByText('hand-drawn', { exact: true }), 'the post, with its Markdown rendered');
      await expectVisible(a.getByText('<script>alert(1)</script>'), 'raw HTML shown as text');
      const postUrl = new URL(a.url()).pathname;
      await checkA11y(a, 'post');

      // Another member joins by the same link, replies, and marks the ask helpful.
      const h = await helper.newPage();
      await goto(h, '/login');
      await h.getByLabel('Email', { exact: true }).fill(`second-${EMAIL}`);
      await h.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await clickAndWaitForPage(h, h.getByRole('button', { name: 'Log in' }));
      await goto(h, invite);
      await clickAndWaitForPage(h, h.getByRole('button', { name: 'Join Lisbon Referral Circle' }));
      await clickAndWaitForPage(h, h.getByRole('link', { name: 'Where do you find good illustrators?' }));
      expectPath(h, postUrl);
      await h.getByLabel('Your reply', { exact: true }).fill('Try the illustrators at the WordPress meetup: I can introduce you.');
      await clickAndWaitForPage(h, h.getByRole('button', { name: 'Reply' }));
      await expectVisible(h.getByText('I can introduce you.', { exact: false }), 'the reply');
      await clickAndWaitForPage(h, h.getByRole('button', { name: 'This helped (0)' }));
      await expectVisible(h.getByRole('button', { name: 'This helped (1)' }), 'the post marked helpful');

      // The asker sees the reply, and marks it helpful too.
      await goto(a, postUrl);
      await expectVisible(a.getByText('I can introduce you.', { exact: false }), 'the reply, seen by the asker');
      await clickAndWaitForPage(a, a.getByRole('button', { name: 'This helped (0)' }));
      await expectVisible(a.getByRole('button', { name: 'This helped (1)' }), 'the reply marked helpful');
      await checkA11y(a, 'post with a reply');
    } finally {
      await asker.close();
      await helper.close();
    }
    await goto(page, '/discover?q=referral');
    await checkA11y(page, 'discover');
    check(!(await page.getByText('Lisbon Referral Circle').count()), 'an invite-only group never shows in discovery');
  }],

  ['accountability partners: goals, a check-in, a missed fortnight told, a board week rolling over', async (page) => {
    check(DB_PATH, 'DB_PATH is not set (browser-test.sh sets it)');
    const context = await page.context().browser().newContext({ bypassCSP: true });
    const other = await context.newPage();
    try {
      // Ana asks Second Member to be her accountability partner; Second accepts.
      await goto(page, '/members?q=Second');
      await clickAndWaitForPage(page, page.getByRole('link', { name: 'Second Member' }).first());
      await page.getByLabel('Kind of partner', { exact: true }).selectOption('accountability');
      await clickAndWaitForPage(page, page.getByRole('button', { name: 'Ask Second Member to partner' }));
      await goto(other, '/login');
      await other.getByLabel('Email', { exact: true }).fill(`second-${EMAIL}`);
      await other.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await clickAndWaitForPage(other, other.getByRole('button', { name: 'Log in' }));
      await goto(other, '/partnerships');
      const request = other.locator('li').filter({ hasText: 'accountability' });
      await clickAndWaitForPage(other, request.getByRole('button', { name: 'Accept Ana Browser' }));

      // Both set a goal for their partners to see; Ana checks in.
      const setGoal = async (p, title, value, unit) => {
        await goto(p, '/goals');
        await clickAndWaitForPage(p, p.getByRole('link', { name: 'Set a goal' }));
        await p.getByLabel('Goal', { exact: true }).fill(title);
        await p.getByLabel('Why it matters', { exact: true }).fill('To keep the pipeline full.');
        await p.getByLabel('How many', { exact: true }).fill(value);
        await p.getByLabel('Of what', { exact: true }).fill(unit);
        await p.getByLabel('Who sees it', { exact: true }).selectOption('partners');
        await clickAndWaitForPage(p, p.getByRole('button', { name: 'Set the goal' }));
        await expectVisible(p.getByRole('heading', { name: title }), `the goal "${title}"`);
      };
      await setGoal(page, 'Ten client calls', '10', 'client calls');
      await checkA11y(page, 'goal');
      await page.getByLabel('How many client calls so far', { exact: true }).fill('3');
      await page.getByLabel('How it went', { exact: true }).fill('Three good calls, one lead.');
      await clickAndWaitForPage(page, page.getByRole('button', { name: 'Check in' }));
      await expectVisible(page.getByText('Checked in. See you next week!'), 'the check-in, confirmed');
      await setGoal(other, 'Publish four articles', '4', 'articles');

      // The partner sees Ana's goal and cheers her week.
      await goto(other, '/goals');
      await clickAndWaitForPage(other, other.getByRole('link', { name: 'Ten client calls' }));
      await clickAndWaitForPage(other, other.getByRole('button', { name: 'Cheer this week (0)' }));
      await expectVisible(other.getByRole('button', { name: 'Cheer this week (1)' }), 'the cheer counted');
      await checkA11y(other, 'goal (partner)');

      // Two weeks pass without Second checking in: Ana is told.
      timeshift('backdate-goal', 'Publish four articles', '15');
      let told = false;
      for (let i = 0; i < 40 && !told; i++) {
        await goto(page, '/dashboard');
        told = (await page.getByText(/Second Member hasn't checked in for \d+ weeks/).count()) > 0;
        if (!told) await page.waitForTimeout(500);
      }
      check(told, "Ana was told that her partner missed two weeks");
      await goto(page, '/goals');
      await checkA11y(page, 'goals');
    } finally {
      await context.close();
    }

    // The group's weekly board: this week's focus, then the week rolls over.
    await goto(page, groupUrl + '/board');
    await page.getByLabel('My focus this week', { exact: true }).fill('Call five past clients');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Post my focus' }));
    await expectVisible(page.getByText('Call five past clients').first(), 'the focus on the board');
    await checkA11y(page, 'weekly board');
    timeshift('rollover-board');
    await goto(page, groupUrl + '/board');
    await expectVisible(page.getByText('you said: “Call five past clients”'), "last week's focus, asking how it went");
    await page.getByLabel('How did it go?', { exact: true }).selectOption('done');
    await page.getByLabel('My focus this week', { exact: true }).fill('Send two proposals');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Report and post' }));
    await expectVisible(page.getByText('Send two proposals').first(), "this week's focus");
    await expectVisible(page.getByText('— done'), "last week's outcome");
    await checkA11y(page, 'weekly board (rolled over)');
  }],

  ['venues: add one, review it after a session there, fair suggestions that avoid the café next door', async (page) => {
    const addVenue = async (name, lat, lon, noise, hours) => {
      await goto(page, '/venues/new');
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByLabel('City', { exact: true }).fill('Lisbon, Portugal');
      await page.getByLabel('Latitude', { exact: true }).fill(lat);
      await page.getByLabel('Longitude', { exact: true }).fill(lon);
      await page.getByLabel('Noise', { exact: true }).selectOption(noise);
      await page.getByLabel('Every week', { exact: true }).fill(hours);
      await clickAndWaitForPage(page, page.getByRole('button', { name: 'Add the venue' }));
      await expectVisible(page.getByRole('heading', { name, level: 1 }), `the venue "${name}"`);
    };
    await goto(page, '/venues');
    await checkA11y(page, 'venues');
    await goto(page, '/venues/new');
    await checkA11y(page, 'add a venue');
    // Right at Lisbon's centre, where Ana lives.
    await addVenue('Café Sossego', '', '', '2', 'Mon-Sun 08:00-20:00');
    await checkA11y(page, 'venue');
    const venueUrl = new URL(page.url()).pathname;

    // A session there, a week ago: then Ana may say how it was.
    await clickAndWaitForPage(page, page.getByRole('link', { name: 'Plan an event here' }));
    // The venue is the place: no place, city or video fields to fill in.
    for (const label of ['Place', 'City', 'Video link']) {
      check(await page.getByLabel(label, { exact: true }).count() === 0, `no "${label}" field when planning at a venue`);
    }
    await page.getByLabel('Title', { exact: true }).fill('Coworking at Sossego');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Starts', { exact: true }).fill(`${tomorrow}T10:00`);
    await page.getByLabel('Time zone', { exact: true }).selectOption('UTC');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Create event' }));
    await expectVisible(page.getByRole('link', { name: 'Café Sossego' }).first(), 'the event names its venue');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Going', exact: true }));
    timeshift('shift-event', 'Coworking at Sossego', '7');
    await goto(page, venueUrl);
    await page.getByLabel('Noise', { exact: true }).selectOption('2');
    await page.getByLabel('A short note', { exact: true }).fill('Quiet and bright, good coffee.');
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Send my review' }));
    await expectVisible(page.getByText('Quiet and bright, good coffee.'), 'the review');
    await expectVisible(page.getByText('From the 1 most recent review.'), 'the venue as its review says');

    // Another venue further out, for a choice.
    await addVenue('Biblioteca Norte', '38.78', '-9.10', '1', 'Mon-Sat 09:00-19:00');

    // Second and Third live elsewhere (Amadora and Odivelas): for them the café is the fairest.
    let wednesday = new Date(Date.now() + 86_400_000);
    while (wednesday.getUTCDay() !== 3) wednesday = new Date(wednesday.getTime() + 86_400_000);
    const when = `${wednesday.toISOString().slice(0, 10)}T10:00`;
    const contexts = [];
    const signIn = async (email) => {
      const context = await page.context().browser().newContext({ bypassCSP: true });
      contexts.push(context);
      const p = await context.newPage();
      await goto(p, '/login');
      await p.getByLabel('Email', { exact: true }).fill(email);
      await p.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await clickAndWaitForPage(p, p.getByRole('button', { name: 'Log in' }));
      return p;
    };
    const setCity = async (p, city) => {
      await goto(p, '/profile/edit');
      await p.getByLabel('City', { exact: true }).fill(city);
      await clickAndWaitForPage(p, p.getByRole('button', { name: 'Save profile' }));
    };
    const suggestions = async (p, other) => {
      await goto(p, '/venues/suggest');
      await p.getByLabel(other, { exact: true }).check();
      await p.getByLabel(/^Starts/).fill(when);
      await clickAndWaitForPage(p, p.getByRole('button', { name: 'Suggest venues' }));
      return p.locator('ol li h3 a').allInnerTexts();
    };
    try {
      const second = await signIn(`second-${EMAIL}`);
      await setCity(second, 'Amadora, Portugal');
      const third = await signIn(`third-${EMAIL}`);
      await setCity(third, 'Odivelas, Portugal');
      const forThem = await suggestions(second, 'Third Member');
      check(forThem[0] === 'Café Sossego', `the café first for a pair living elsewhere, got ${JSON.stringify(forThem)}`);
      await checkA11y(second, 'venue suggestions');
    } finally {
      for (const c of contexts) await c.close();
    }
    // Ana marks the café as near her home, on its page (only she sees it): for Ana and Second it
    // then goes after the library, and says why without naming anyone else.
    await goto(page, venueUrl);
    await clickAndWaitForPage(page, page.getByRole('button', { name: 'Mark it as near my home' }));
    await expectVisible(page.getByText('You marked this as near your home'), 'the mark, on the venue page');
    const forAna = await suggestions(page, 'Second Member');
    check(forAna[0] === 'Biblioteca Norte', `the library first when the café is by Ana's house, got ${JSON.stringify(forAna)}`);
    await expectVisible(page.getByText('you marked it as near your home'), 'why the café comes last');
  }],
];
