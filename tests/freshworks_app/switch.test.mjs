import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deferred, fakeClient, ok, sidebar } from './harness.mjs';

const card = (name, contact) => ({ status: 'found', errors: [],
  html: `<section class="ufd-card" data-upsales-contact-id="${contact}"><h2 class="ufd-name">${name}</h2>
  <button type="button" class="ufd-action" data-action="log-ticket">Log</button></section>` });
const settle = (ms = 20) => new Promise((r) => setTimeout(r, ms));

test('a slow answer for the previous ticket never shows on the new one', async () => {
  const slowA = deferred();
  const fake = fakeClient({ invoke: (name, options) => {
    const ticket = JSON.parse(options.body).ticket.id;
    return ticket === 1 ? slowA.promise : ok(card('Bertil B', 22));
  } });
  const ui = await sidebar(fake);
  const first = ui.sidebar.lookup(null); // ticket A, slow
  await settle();
  fake.deactivate();
  fake.setData('ticket', { id: 2, subject: 'B' });
  await fake.activate();
  await settle();
  assert.equal(ui.result.innerHTML, '');
  assert.equal(ui.button.disabled, false, 'the new ticket can be looked up at once');
  await ui.sidebar.lookup(null);
  assert.match(ui.result.innerHTML, /Bertil B/);
  slowA.resolve(ok(card('Astrid A', 11)).then((r) => r));
  await first;
  await settle();
  assert.match(ui.result.innerHTML, /Bertil B/);
  assert.doesNotMatch(ui.result.innerHTML, /Astrid A/);
  // "Log" logs B to B's contact.
  ui.result.querySelector('[data-action=log-ticket]').click();
  await settle();
  const log = fake.calls.invoke.find((c) => c.name === 'log_ticket');
  assert.deepEqual([log.body.ticket.id, log.body.upsales_contact_id], [2, 22]);
});

test('a switch clears the card, the chosen contact and the undo offer', async () => {
  const fake = fakeClient({ invoke: () => ok(card('Astrid A', 11)) });
  const ui = await sidebar(fake);
  await ui.sidebar.lookup(null);
  ui.sidebar.chosen = 11;
  ui.sidebar.undoToken = 'abc.def';
  fake.deactivate();
  assert.equal(ui.result.innerHTML, '');
  assert.equal(ui.sidebar.chosen, null);
  assert.equal(ui.sidebar.undoToken, null);
});

test('the agent\'s pick holds for refreshes on the same ticket', async () => {
  const ambiguous = { status: 'ambiguous', errors: [], html: `<section class="ufd-card">
    <button type="button" class="ufd-choose" data-upsales-contact-id="7">Show</button></section>` };
  const answers = [ambiguous, card('Picked P', 7), card('Picked P', 7)];
  const fake = fakeClient({ invoke: () => ok(answers.shift()) });
  const ui = await sidebar(fake);
  await ui.sidebar.lookup(null);
  ui.result.querySelector('.ufd-choose').click();
  await settle();
  ui.button.click(); // a refresh keeps the pick
  await settle();
  const cards = fake.calls.invoke.filter((c) => c.name === 'card').map((c) => c.body.upsales_contact_id);
  assert.deepEqual(cards, [undefined, 7, 7]);
});

test('a notification is never empty', async () => {
  const fake = fakeClient({ invoke: () => ok({ status: 'partial', html: '<section></section>',
    errors: [{ source: 'upsales', code: 'x', level: 'error', message: '' }] }) });
  const ui = await sidebar(fake);
  await ui.sidebar.lookup(null);
  assert.equal(fake.calls.notify.length, 1);
  assert.ok(fake.calls.notify[0].message.length > 0);
});

test('with Crayons defined, the controls become fw-buttons that still work', async () => {
  const fake = fakeClient({ invoke: () => ok(card('Astrid A', 11)) });
  const ui = await sidebar(fake);
  const win = ui.dom.window;
  win.customElements.define('fw-button', class extends win.HTMLElement {});
  ui.sidebar.useCrayons();
  const sync = ui.doc.getElementById('ufd-sync');
  assert.equal(sync.tagName, 'FW-BUTTON');
  assert.equal(sync.getAttribute('color'), 'primary');
  sync.click();
  await settle();
  assert.equal(fake.calls.invoke.length, 1);
  const log = ui.result.querySelector('[data-action=log-ticket]');
  assert.equal(log.tagName, 'FW-BUTTON');
  log.click();
  await settle();
  assert.equal(fake.calls.invoke.at(-2).name, 'log_ticket');
});

test('without Crayons the plain controls stay', async () => {
  const fake = fakeClient({ invoke: () => ok(card('Astrid A', 11)) });
  const ui = await sidebar(fake);
  assert.equal(ui.button.tagName, 'BUTTON');
  assert.equal(await ui.dom.window.UfdCrayons.ready(10), false);
});
