import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeClient, ok, sidebar } from './harness.mjs';

// A suggested card, then a found one: link buttons, the search, the lazy company section.
const CARD = `<section class="ufd-card" data-freshdesk-contact-id="43026449001" data-upsales-contact-id="1" data-linked-id="9">
  <button type="button" class="ufd-action" data-action="link-contact" data-upsales-contact-id="1">Link</button>
  <details class="ufd-more" data-lazy="company" data-upsales-account-id="3" data-freshdesk-company-id="903">
    <summary>The whole customer</summary><div data-ufd-slot="company"></div></details>
  <details class="ufd-search" open><input name="contact_query" value="Astrid">
    <button type="button" data-action="search-contacts">Search</button><div data-ufd-slot="search"></div></details>
</section>`;

const settle = () => new Promise((r) => setTimeout(r, 20));

async function withCard(answers) {
  const fake = fakeClient({ invoke: (name) => ok(answers[name] ? answers[name].shift() : { status: 'found', html: CARD, errors: [] }) });
  const ui = await sidebar(fake);
  await ui.sidebar.lookup(null);
  fake.calls.invoke.length = 0;
  return { fake, ui };
}

test('link sends the ticket, both contacts and the link it replaces, then refreshes', async () => {
  const { fake, ui } = await withCard({ link_contact: [{ status: 'done', message: 'The contacts are linked.' }] });
  ui.result.querySelector('[data-action=link-contact]').click();
  await settle();
  const [link, refresh] = fake.calls.invoke;
  assert.equal(link.name, 'link_contact');
  const { idempotency_key: key, ...rest } = link.body;
  assert.match(key, /^ufd-[0-9a-f]{24}$/);
  assert.equal(rest.freshdesk_contact_id, 43026449001);
  assert.equal(rest.upsales_contact_id, 1);
  assert.equal(rest.replaces, 9);
  assert.equal(refresh.name, 'card');
});

test('search results fill their part of the card, and nothing refreshes', async () => {
  const { fake, ui } = await withCard({ search_contacts: [{ status: 'part', html: '<ul class="found"><li>Astrid</li></ul>' }] });
  ui.result.querySelector('[data-action=search-contacts]').click();
  await settle();
  assert.deepEqual(fake.calls.invoke.map((c) => c.name), ['search_contacts']);
  assert.equal(fake.calls.invoke[0].body.query, 'Astrid');
  assert.equal(fake.calls.invoke[0].body.idempotency_key, undefined); // a read
  assert.ok(ui.result.querySelector('[data-ufd-slot=search] ul.found'));
});

test('the company section loads when expanded, once', async () => {
  const { fake, ui } = await withCard({ company: [{ status: 'part', html: '<p class="totals">SEK 1</p>' }] });
  const section = ui.result.querySelector('details[data-lazy]');
  assert.equal(fake.calls.invoke.length, 0); // not with the card
  section.open = true;
  section.dispatchEvent(new ui.dom.window.Event('toggle'));
  await settle();
  section.dispatchEvent(new ui.dom.window.Event('toggle'));
  await settle();
  assert.deepEqual(fake.calls.invoke.map((c) => c.name), ['company']);
  assert.deepEqual(fake.calls.invoke[0].body, { upsales_account_id: 3, upsales_contact_id: 1,
    freshdesk_company_id: 903, locale: 'en' });
  assert.ok(section.querySelector('[data-ufd-slot=company] p.totals'));
});
