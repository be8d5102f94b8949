// What an action shows while it runs and when it fails: its own progress text, and a
// failure that says what was not done (never the lookup's texts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deferred, fakeClient, ok, sidebar } from './harness.mjs';

const CARD = `<section class="ufd-card" data-freshdesk-contact-id="43026449001" data-freshdesk-updated-at="2025-12-11T20:16:20+00:00" data-upsales-contact-id="2">
  <table><tr><th><label><input type="checkbox" name="apply" value="phone"> Phone</label></th></tr></table>
  <button type="button" data-action="update-freshdesk">Update</button>
  <button type="button" data-action="log-ticket">Log</button></section>`;
const NOT_FOUND = '<section class="ufd-card"><p class="ufd-actions"><button type="button" class="ufd-action" data-action="contact-form">Create</button></p></section>';
const FORM = `<section class="ufd-card ufd-form"><form>
  <input name="name" value="Nils Ek"><input name="email" value="nils.ek@kustlinje.example">
  <input type="radio" name="account_id" value="26" checked>
  <button type="button" data-action="create-upsales">Create</button>
  <button type="button" data-action="cancel-form">Cancel</button></form></section>`;

const settle = () => new Promise((r) => setTimeout(r, 20));

async function withCard(html, invoke, language = 'en') {
  const fake = fakeClient({ language, invoke: (name, options) => (name === 'card'
    ? ok({ status: 'found', html, errors: [] }) : invoke(name, options)) });
  const ui = await sidebar(fake);
  await ui.sidebar.lookup(null);
  return { fake, ui };
}

test('Cancel on the create form gives back a create button that works', async () => {
  const { fake, ui } = await withCard(NOT_FOUND, () => ok({ status: 'form', html: FORM }));
  ui.result.querySelector('[data-action=contact-form]').click();
  await settle();
  ui.result.querySelector('[data-action=cancel-form]').click();
  const create = ui.result.querySelector('[data-action=contact-form]');
  assert.ok(create, 'the card is back');
  assert.equal(create.getAttribute('aria-busy'), 'false');
  assert.equal(create.disabled, false);
  create.click();
  await settle();
  assert.equal(fake.calls.invoke.filter((c) => c.name === 'contact_form').length, 2);
  assert.ok(ui.result.querySelector('form'), 'the form opens again');
});

const PROGRESS = [
  ['update-freshdesk', 'update_freshdesk', 'en', 'Updating the contact in Freshdesk…'],
  ['log-ticket', 'log_ticket', 'en', 'Logging the ticket to Upsales…'],
  ['contact-form', 'contact_form', 'en', 'Opening the form…'],
  ['log-ticket', 'log_ticket', 'sv', 'Loggar ärendet i Upsales…'],
];
for (const [action, template, language, text] of PROGRESS) {
  test(`"${action}" shows its own progress (${language})`, async () => {
    const pending = deferred();
    const html = action === 'contact-form' ? NOT_FOUND : CARD;
    const { ui } = await withCard(html, (name) => (name === template ? pending.promise : ok({})), language);
    const phone = ui.result.querySelector('input[value=phone]');
    if (phone) phone.checked = true;
    ui.result.querySelector(`[data-action=${action}]`).click();
    await settle();
    assert.equal(ui.progress.hidden, false);
    assert.equal(ui.progress.textContent, text);
    pending.resolve({ status: 200, headers: {}, response: JSON.stringify({ status: 'form', html: FORM }) });
    await settle();
  });
}

test('the lookup after an action shows the lookup progress again', async () => {
  const pending = deferred();
  const { ui } = await withCard(CARD, (name) => (name === 'log_ticket' ? ok({ status: 'done', message: 'ok' }) : pending.promise));
  ui.result.querySelector('[data-action=log-ticket]').click();
  await settle();
  assert.equal(ui.progress.textContent, 'Looking up the contact in Upsales…');
});

test('an unexpected failure names the action and what was not done', async () => {
  const { fake, ui } = await withCard(CARD, () => Promise.reject({ status: 400, response: 'Bad Request' }));
  ui.result.querySelector('[data-action=log-ticket]').click();
  await settle();
  assert.equal(fake.calls.notify.at(-1).type, 'danger');
  assert.match(fake.calls.notify.at(-1).message, /^Not logged: /);
  assert.doesNotMatch(fake.calls.notify.at(-1).message, /lookup/i);
});

test('a lost answer says the write may have happened and that trying again is safe (sv)', async () => {
  const { fake, ui } = await withCard(CARD, () => Promise.reject({ status: 0, message: 'network' }), 'sv');
  ui.result.querySelector('input[value=phone]').checked = true;
  ui.result.querySelector('[data-action=update-freshdesk]').click();
  await settle();
  const message = fake.calls.notify.at(-1).message;
  assert.match(message, /^Kanske inte uppdaterat i Freshdesk: /);
  assert.match(message, /försöka igen/);
});

test("the platform's 429 says nothing was sent", async () => {
  const { fake, ui } = await withCard(CARD, () => Promise.reject({ status: 429, response: '' }));
  ui.result.querySelector('[data-action=log-ticket]').click();
  await settle();
  assert.match(fake.calls.notify.at(-1).message, /^Not logged: .*minute/);
});

test("a refusal the service phrased for the action is shown as it is", async () => {
  const refusal = { status: 'error', action: 'log-ticket', errors: [{ level: 'error', message: 'Not logged: Upsales is not answering. It is safe to try again.' }] };
  const { fake, ui } = await withCard(CARD, () => Promise.reject({ status: 502, response: JSON.stringify(refusal) }));
  ui.result.querySelector('[data-action=log-ticket]').click();
  await settle();
  assert.equal(fake.calls.notify.at(-1).message, 'Not logged: Upsales is not answering. It is safe to try again.');
});

test('a refusal in the card\'s words (from before the action ran) gets the action\'s opening', async () => {
  const refusal = { status: 'error', errors: [{ level: 'error', message: 'The service secret is missing or wrong. Check the app settings.' }] };
  const { fake, ui } = await withCard(CARD, () => Promise.reject({ status: 401, response: JSON.stringify(refusal) }));
  ui.result.querySelector('input[value=phone]').checked = true;
  ui.result.querySelector('[data-action=update-freshdesk]').click();
  await settle();
  assert.match(fake.calls.notify.at(-1).message, /^Freshdesk was not updated: The service secret/);
});
