import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deferred, fakeClient, ok, sidebar } from './harness.mjs';

const FOUND = { status: 'found', html: '<section class="ufd-card"><h2 class="ufd-name">Astrid Lindqvist</h2></section>', errors: [] };

test('the button follows the agent language', async () => {
  const en = await sidebar(fakeClient({ invoke: () => ok(FOUND) }));
  assert.equal(en.button.textContent, 'Sync contact from Upsales');
  assert.equal(en.button.disabled, false);
  const sv = await sidebar(fakeClient({ language: 'sv-SE', invoke: () => ok(FOUND) }));
  assert.equal(sv.button.textContent, 'Synka kontakt från Upsales');
  assert.equal(sv.doc.documentElement.getAttribute('lang'), 'sv');
});

test('a click sends the ticket, requester, company and locale and shows the card', async () => {
  const fake = fakeClient({ language: 'sv', invoke: () => ok(FOUND) });
  const ui = await sidebar(fake);
  await ui.sidebar.lookup(null);
  assert.equal(fake.calls.invoke.length, 1);
  const call = fake.calls.invoke[0];
  assert.equal(call.name, 'card');
  assert.deepEqual(call.options.context, { locale: 'sv' });
  assert.deepEqual(call.body.ticket, { id: 1, subject: 'Kan inte logga in' });
  assert.equal(call.body.requester.email, 'astrid.lindqvist@nordvind.example');
  assert.deepEqual(call.body.company, { id: 901, name: 'Nordvind Data AB' });
  assert.equal(call.body.locale, 'sv');
  assert.match(ui.result.innerHTML, /Astrid Lindqvist/);
  assert.equal(ui.result.getAttribute('data-status'), 'found');
  assert.deepEqual(fake.calls.resize, [{ height: '520px' }]);
  assert.equal(fake.calls.notify.length, 0);
});

test('a double click sends one request, with progress while it runs', async () => {
  const pending = deferred();
  const fake = fakeClient({ invoke: () => pending.promise });
  const ui = await sidebar(fake);
  ui.button.click();
  ui.button.click();
  await new Promise((r) => setTimeout(r, 5));
  ui.button.click();
  assert.equal(ui.button.disabled, true);
  assert.equal(ui.progress.hidden, false);
  assert.equal(ui.doc.getElementById('ufd-app').getAttribute('aria-busy'), 'true');
  pending.resolve({ status: 200, response: JSON.stringify(FOUND) });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(fake.calls.invoke.length, 1);
  assert.equal(ui.button.disabled, false);
  assert.equal(ui.progress.hidden, true);
});

test('each error of a card is a notification, cut to the platform limits', async () => {
  const long = 'x'.repeat(150);
  const fake = fakeClient({ invoke: () => ok({ status: 'partial', html: '<section></section>', errors: [
    { source: 'upsales', code: 'unavailable', level: 'error', message: 'Upsales is not answering.' },
    { source: 'upsales', code: 'not_found', level: 'warning', message: long },
  ] }) });
  const ui = await sidebar(fake);
  await ui.sidebar.lookup(null);
  assert.deepEqual(fake.calls.notify.map((n) => [n.action, n.type]), [['showNotify', 'danger'], ['showNotify', 'warning']]);
  assert.equal(fake.calls.notify[0].message, 'Upsales is not answering.');
  assert.ok(fake.calls.notify[1].message.length <= 100);
  assert.ok(fake.calls.notify.every((n) => n.title.length <= 30));
});

test('an error status that resolves is reported with the service message', async () => {
  const fake = fakeClient({ invoke: () => Promise.resolve({ status: 400, response: JSON.stringify({
    status: 'error', errors: [{ source: 'service', code: 'invalid_domain', level: 'error', message: 'The Freshdesk domain must look like yourcompany.freshdesk.com.' }] }) }) });
  const ui = await sidebar(fake);
  await ui.sidebar.lookup(null);
  assert.equal(fake.calls.notify.length, 1);
  assert.match(fake.calls.notify[0].message, /yourcompany\.freshdesk\.com/);
  assert.equal(ui.button.disabled, false);
});

for (const [label, error, expected] of [
  ['a connection error', { status: 502, errorSource: 'PLATFORM', message: 'Error in establishing connection' }, /could not be reached/],
  ['the platform limit', { status: 429, errorSource: 'PLATFORM', message: 'You have exceeded the limit of 50 requests per minute' }, /Too many lookups/],
  ['a timeout', { status: 504, message: 'Timeout error while processing the request' }, /took too long/],
  ['a rejected service error', { status: 401, response: JSON.stringify({ errors: [{ level: 'error', message: 'The service secret is missing or wrong.' }] }) }, /service secret/],
  ['a bare rejection', undefined, /could not be reached/],
]) {
  test(`a rejected promise is reported: ${label}`, async () => {
    const fake = fakeClient({ invoke: () => Promise.reject(error) });
    const ui = await sidebar(fake);
    await ui.sidebar.lookup(null);
    assert.equal(fake.calls.notify.length, 1);
    assert.match(fake.calls.notify[0].message, expected);
    assert.equal(fake.calls.notify[0].type, 'danger');
    assert.equal(ui.button.disabled, false);
    assert.deepEqual(fake.calls.resize, [{ height: '520px' }]);
  });
}

test('picking one of several contacts asks for that one', async () => {
  const choices = { status: 'ambiguous', errors: [], html: '<section><button type="button" class="ufd-choose" data-upsales-contact-id="42">Show</button></section>' };
  let n = 0;
  const fake = fakeClient({ invoke: () => ok(n++ === 0 ? choices : FOUND) });
  const ui = await sidebar(fake);
  await ui.sidebar.lookup(null);
  ui.result.querySelector('[data-upsales-contact-id]').click();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(fake.calls.invoke.length, 2);
  assert.equal(fake.calls.invoke[1].body.upsales_contact_id, 42);
  assert.match(ui.result.innerHTML, /Astrid/);
});

test('escaped CRM text stays text in the page', async () => {
  const html = '<section><h2>&lt;img src=x onerror=alert(1)&gt;Eve &lt;script&gt;alert(2)&lt;/script&gt;</h2></section>';
  const fake = fakeClient({ invoke: () => ok({ status: 'found', html, errors: [] }) });
  const ui = await sidebar(fake);
  await ui.sidebar.lookup(null);
  assert.equal(ui.result.querySelectorAll('script, img').length, 0);
  assert.match(ui.result.textContent, /<script>alert\(2\)<\/script>/);
});

test('a ticket without a requester email asks nothing', async () => {
  const fake = fakeClient({ data: { requester: { id: 5, name: 'Phone only' } }, invoke: () => ok(FOUND) });
  const ui = await sidebar(fake);
  await ui.sidebar.lookup(null);
  assert.equal(fake.calls.invoke.length, 0);
  assert.equal(fake.calls.notify[0].type, 'warning');
});

test('a company the data API cannot give is left out', async () => {
  const fake = fakeClient({ data: { company: new Error('no company') }, invoke: () => ok(FOUND) });
  const ui = await sidebar(fake);
  await ui.sidebar.lookup(null);
  assert.equal(fake.calls.invoke[0].body.company, undefined);
});
