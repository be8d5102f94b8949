import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeClient, ok, sidebar } from './harness.mjs';

const CARD = `<section class="ufd-card" data-freshdesk-contact-id="43026449001" data-freshdesk-updated-at="2025-12-11T20:16:20+00:00" data-upsales-contact-id="2">
  <table><tr><th><label><input type="checkbox" name="apply" value="phone"> Phone</label></th></tr>
  <tr><th><label><input type="checkbox" name="apply" value="title"> Title</label></th></tr></table>
  <button type="button" data-action="update-freshdesk">Update</button>
  <button type="button" data-action="log-ticket">Log</button></section>`;
const FORM = `<section class="ufd-card ufd-form"><form>
  <input name="name" value="Nils Ek"><input name="email" value="nils.ek@kustlinje.example">
  <input name="phone" value=""><input name="title" value="Lagerchef">
  <input type="radio" name="account_id" value="26" checked><input type="radio" name="account_id" value="new">
  <input name="new_account_name" value=""><input name="account_query" value="">
  <button type="button" data-action="contact-form">Search</button>
  <button type="button" data-action="create-upsales">Create</button></form></section>`;

async function withCard(answers) {
  const fake = fakeClient({ invoke: (name) => ok(answers[name] ? answers[name].shift() : { status: 'found', html: CARD, errors: [] }) });
  const ui = await sidebar(fake);
  await ui.sidebar.lookup(null);
  fake.calls.invoke.length = 0;
  return { fake, ui };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

test('update sends the checked fields and the seen version, then refreshes', async () => {
  const { fake, ui } = await withCard({ update_freshdesk: [{ status: 'done', message: 'The Freshdesk contact is updated.' }] });
  ui.result.querySelector('input[value=phone]').checked = true;
  ui.result.querySelector('[data-action=update-freshdesk]').click();
  await settle();
  const [update, refresh] = fake.calls.invoke;
  assert.equal(update.name, 'update_freshdesk');
  const { idempotency_key: key, ...rest } = update.body;
  assert.match(key, /^ufd-[0-9a-f]{24}$/);
  assert.deepEqual(rest, { freshdesk_contact_id: 43026449001, upsales_contact_id: 2, fields: ['phone'], clear: [],
    freshdesk_updated_at: '2025-12-11T20:16:20+00:00', locale: 'en' });
  assert.equal(refresh.name, 'card');
  assert.deepEqual(fake.calls.notify.map((n) => [n.type, n.message]), [['success', 'The Freshdesk contact is updated.']]);
});

test('update with nothing checked asks first and sends nothing', async () => {
  const { fake, ui } = await withCard({});
  ui.result.querySelector('[data-action=update-freshdesk]').click();
  await settle();
  assert.equal(fake.calls.invoke.length, 0);
  assert.equal(fake.calls.notify[0].type, 'warning');
});

test('a refused update is reported and nothing refreshes', async () => {
  const fake = fakeClient({ invoke: (name) => (name === 'card' ? ok({ status: 'found', html: CARD, errors: [] })
    : Promise.reject({ status: 409, response: JSON.stringify({ status: 'error', errors: [{ level: 'error', message: 'The Freshdesk contact changed since the card was shown. Sync again first.' }] }) })) });
  const ui = await sidebar(fake);
  await ui.sidebar.lookup(null);
  ui.result.querySelector('input[value=title]').checked = true;
  ui.result.querySelector('[data-action=update-freshdesk]').click();
  await settle();
  assert.match(fake.calls.notify.at(-1).message, /changed since the card/);
  assert.equal(fake.calls.invoke.filter((c) => c.name === 'card').length, 1);
});

test('log sends the ticket and the Upsales contact', async () => {
  const { fake, ui } = await withCard({ log_ticket: [{ status: 'done', message: 'The ticket is logged to Upsales.' }] });
  ui.result.querySelector('[data-action=log-ticket]').click();
  await settle();
  assert.equal(fake.calls.invoke[0].name, 'log_ticket');
  const { idempotency_key: key, ...rest } = fake.calls.invoke[0].body;
  assert.match(key, /^ufd-[0-9a-f]{24}$/);
  assert.deepEqual(rest, { ticket: { id: 1 }, upsales_contact_id: 2, locale: 'en' });
  assert.equal(fake.calls.notify[0].type, 'success');
});

test('log names the agent who logs it, from loggedInUser', async () => {
  const { fake, ui } = await withCard({ log_ticket: [{ status: 'done', message: 'The ticket is logged to Upsales.' }] });
  fake.setData('loggedInUser', { contact: { language: 'en', name: ' Lena Holm ', email: 'lena@demo.example' } });
  ui.result.querySelector('[data-action=log-ticket]').click();
  await settle();
  assert.deepEqual(fake.calls.invoke[0].body.agent, { name: 'Lena Holm', email: 'lena@demo.example' });
});

test('the contact form is shown, searched and submitted', async () => {
  const notFound = '<section class="ufd-card"><button type="button" data-action="contact-form">Create</button></section>';
  const answers = {
    card: [{ status: 'not_found', html: notFound, errors: [] }],
    contact_form: [{ status: 'form', html: FORM }, { status: 'form', html: FORM }],
    create_upsales: [{ status: 'done', message: 'The contact is created in Upsales.' }],
  };
  const fake = fakeClient({ invoke: (name) => ok(answers[name].length ? answers[name].shift() : { status: 'found', html: '<section class="ufd-card"></section>', errors: [] }) });
  const ui = await sidebar(fake);
  await ui.sidebar.lookup(null);
  ui.result.querySelector('[data-action=contact-form]').click();
  await settle();
  assert.deepEqual(fake.calls.invoke[1].body, { email: 'astrid.lindqvist@nordvind.example', name: 'Astrid Lindqvist',
    phone: '+46 70 111 22 33', mobile: null, freshdesk_contact_id: 43026449000, locale: 'en' });
  ui.result.querySelector('[name=account_query]').value = 'Tundra';
  ui.result.querySelector('form [data-action=contact-form]').click();
  await settle();
  assert.equal(fake.calls.invoke[2].body.account_query, 'Tundra');
  ui.result.querySelector('[data-action=create-upsales]').click();
  await settle();
  const create = fake.calls.invoke[3];
  assert.equal(create.name, 'create_upsales');
  const { idempotency_key: createKey, ...created } = create.body;
  assert.match(createKey, /^ufd-/);
  assert.deepEqual(created, { name: 'Nils Ek', email: 'nils.ek@kustlinje.example', phone: null, mobile: null, title: 'Lagerchef', account: { id: 26 }, locale: 'en' });
  assert.equal(fake.calls.notify.at(-1).type, 'success');
  assert.equal(fake.calls.invoke.at(-1).name, 'card');
});

test('a new company is sent by name', async () => {
  const { fake, ui } = await withCard({ contact_form: [{ status: 'form', html: FORM }], create_upsales: [{ status: 'done', message: 'ok' }] });
  ui.result.innerHTML = FORM;
  ui.result.querySelector('input[value=new]').checked = true;
  ui.result.querySelector('[name=new_account_name]').value = 'Kustlinje Ny AB';
  ui.result.querySelector('[data-action=create-upsales]').click();
  await settle();
  assert.deepEqual(fake.calls.invoke[0].body.account, { name: 'Kustlinje Ny AB' });
});

const CLEARING = `<section class="ufd-card" data-freshdesk-contact-id="7" data-freshdesk-updated-at="2025-12-11T20:16:20+00:00" data-upsales-contact-id="2">
  <table><tr><th><label><input type="checkbox" name="apply" value="phone"> Phone</label></th></tr>
  <tr data-clears="true"><th>Title</th><td><label><input type="checkbox" name="clear" value="title"> Empty it</label></td></tr></table>
  <button type="button" data-action="update-freshdesk">Update</button></section>`;

test('emptying a field is sent only as its own explicit choice', async () => {
  const { fake, ui } = await withCard({ card: [{ status: 'found', html: CLEARING, errors: [] }], update_freshdesk: [{ status: 'done', message: 'ok' }, { status: 'done', message: 'ok' }] });
  ui.result.innerHTML = CLEARING;
  ui.result.querySelector('input[value=phone]').checked = true;
  ui.result.querySelector('[data-action=update-freshdesk]').click();
  await settle();
  assert.deepEqual([fake.calls.invoke[0].body.fields, fake.calls.invoke[0].body.clear], [['phone'], []]);
  ui.result.innerHTML = CLEARING;
  ui.result.querySelector('input[name=clear]').checked = true;
  ui.result.querySelector('[data-action=update-freshdesk]').click();
  await settle();
  const second = fake.calls.invoke.filter((c) => c.name === 'update_freshdesk')[1];
  assert.deepEqual([second.body.fields, second.body.clear], [['title'], ['title']]);
});

test('each click has its own idempotency key', async () => {
  const { fake, ui } = await withCard({ log_ticket: [{ status: 'done', message: 'a' }, { status: 'unchanged', message: 'b' }] });
  ui.result.querySelector('[data-action=log-ticket]').click();
  await settle();
  ui.result.querySelector('[data-action=log-ticket]').click();
  await settle();
  const keys = fake.calls.invoke.filter((c) => c.name === 'log_ticket').map((c) => c.body.idempotency_key);
  assert.equal(keys.length, 2);
  assert.notEqual(keys[0], keys[1]);
});

test('a done update offers Undo, which sends the token once and then forgets it', async () => {
  const { fake, ui } = await withCard({
    update_freshdesk: [{ status: 'done', message: 'Updated in Freshdesk: Phone.', details: { applied: ['phone'], undo: 'abc.def' } }],
    undo_update: [{ status: 'done', message: 'Put back in Freshdesk: Phone.' }],
  });
  ui.result.querySelector('input[value=phone]').checked = true;
  ui.result.querySelector('[data-action=update-freshdesk]').click();
  await settle();
  assert.equal(fake.calls.notify.at(-1).message, 'Updated in Freshdesk: Phone.');
  const undo = ui.result.querySelector('[data-action=undo-update]');
  assert.ok(undo, 'the refreshed card offers Undo');
  undo.click();
  await settle();
  const sent = fake.calls.invoke.find((c) => c.name === 'undo_update');
  assert.equal(sent.body.token, 'abc.def');
  assert.equal(fake.calls.notify.at(-1).message, 'Put back in Freshdesk: Phone.');
  assert.equal(ui.result.querySelector('[data-action=undo-update]'), null);
});
