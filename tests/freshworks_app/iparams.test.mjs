import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installPage, ok } from './harness.mjs';

function fill(dom, values) {
  for (const [name, value] of Object.entries(values)) {
    dom.window.document.getElementById(name).value = value;
  }
}

const GOOD = { freshdesk_domain: 'Demo.freshdesk.com', freshdesk_api_key: 'fd-key', upsales_api_key: 'us-key', service_host: 'ufd.example.com', service_secret: 'a-service-secret-of-32-characters-0' };

function clientAnswering(answer) {
  const calls = [];
  return { calls, client: { request: { invokeTemplate: (name, options) => { calls.push({ name, options }); return answer(); } } } };
}

test('postConfigs marks the keys secure and lowercases hosts', () => {
  const dom = installPage(clientAnswering(() => ok({})).client);
  fill(dom, GOOD);
  const configs = dom.window.postConfigs();
  assert.equal(configs.freshdesk_domain, 'demo.freshdesk.com');
  assert.deepEqual([...configs.__meta.secure], ['freshdesk_api_key', 'upsales_api_key', 'service_secret']);
  assert.ok(configs.__meta.modules.support_ticket.includes('service_host'));
});

test('getConfigs never shows a secure value', () => {
  const dom = installPage(clientAnswering(() => ok({})).client);
  dom.window.getConfigs({ freshdesk_domain: 'demo.freshdesk.com', freshdesk_api_key: 'secret' });
  assert.equal(dom.window.document.getElementById('freshdesk_domain').value, 'demo.freshdesk.com');
  assert.equal(dom.window.document.getElementById('freshdesk_api_key').value, '');
});

test('bad values are refused before any request', async () => {
  const fake = clientAnswering(() => ok({}));
  const dom = installPage(fake.client, 'sv-SE');
  fill(dom, { ...GOOD, freshdesk_domain: 'https://demo.freshdesk.com', service_host: 'https://x.example/path', upsales_api_key: '' });
  assert.equal(await dom.window.validate(), false);
  assert.equal(fake.calls.length, 0);
  const doc = dom.window.document;
  assert.match(doc.getElementById('msg-freshdesk_domain').textContent, /ditt-foretag\.freshdesk\.com/);
  assert.match(doc.getElementById('msg-service_host').textContent, /värdnamnet/);
  assert.equal(doc.getElementById('upsales_api_key').getAttribute('aria-invalid'), 'true');
});

test('validate checks live and shows each setting message', async () => {
  const fake = clientAnswering(() => ok({ ok: false, results: {
    freshdesk_domain: { ok: true, message: 'The Freshdesk domain looks right.' },
    freshdesk_api_key: { ok: true, message: 'The Freshdesk API key works.' },
    upsales_api_key: { ok: false, code: 'auth_failed', message: 'The Upsales API key was refused. Check the app settings.' },
  } }));
  const dom = installPage(fake.client);
  fill(dom, GOOD);
  assert.equal(await dom.window.validate(), false);
  assert.equal(fake.calls[0].name, 'validate');
  assert.equal(fake.calls[0].options.context.upsales_api_key, 'us-key');
  assert.equal(fake.calls[0].options.context.freshdesk_domain, 'demo.freshdesk.com');
  assert.match(dom.window.document.getElementById('msg-upsales_api_key').textContent, /refused/);
});

test('validate passes when every setting works', async () => {
  const results = Object.fromEntries(['freshdesk_domain', 'freshdesk_api_key', 'upsales_api_key'].map((k) => [k, { ok: true, message: 'ok' }]));
  const dom = installPage(clientAnswering(() => ok({ ok: true, results })).client);
  fill(dom, GOOD);
  assert.equal(await dom.window.validate(), true);
});

test('an unreachable service or a refused secret blocks the install', async () => {
  for (const [error, field] of [[{ status: 502 }, 'service_host'], [{ status: 401 }, 'service_secret']]) {
    const dom = installPage(clientAnswering(() => Promise.reject(error)).client);
    fill(dom, GOOD);
    assert.equal(await dom.window.validate(), false);
    assert.equal(dom.window.document.getElementById(field).getAttribute('aria-invalid'), 'true');
  }
});

test('an IP address as the service host is refused at once, as the platform rule', async () => {
  for (const host of ['10.0.0.5', '[::1]', 'fe80::1']) {
    const fake = clientAnswering(() => ok({}));
    const dom = installPage(fake.client);
    fill(dom, { ...GOOD, service_host: host });
    assert.equal(await dom.window.validate(), false);
    assert.equal(fake.calls.length, 0);
    assert.match(dom.window.document.getElementById('msg-service_host').textContent, /not an IP address/);
  }
});

test('editing the settings keeps the stored keys unless the admin types new ones', async () => {
  const dom = installPage(clientAnswering(() => ok({})).client);
  const stored = { freshdesk_domain: 'demo.freshdesk.com', freshdesk_api_key: 'fd-stored', upsales_api_key: 'us-stored',
    service_host: 'ufd.example.com', service_secret: 'sec-stored' };
  dom.window.getConfigs(stored);
  const doc = dom.window.document;
  assert.equal(doc.getElementById('upsales_api_key').value, '');
  assert.match(doc.getElementById('upsales_api_key').getAttribute('placeholder'), /Unchanged/);
  doc.getElementById('service_host').value = 'ufd2.example.com'; // one non-secret change
  let configs = dom.window.postConfigs();
  assert.equal(configs.service_host, 'ufd2.example.com');
  assert.deepEqual([configs.freshdesk_api_key, configs.upsales_api_key, configs.service_secret], ['fd-stored', 'us-stored', 'sec-stored']);
  doc.getElementById('upsales_api_key').value = 'us-new';
  configs = dom.window.postConfigs();
  assert.deepEqual([configs.upsales_api_key, configs.service_secret], ['us-new', 'sec-stored']);
  assert.equal(doc.getElementById('service_secret_clear'), null); // a required secret is not removed
  doc.getElementById('service_secret').value = 'sec-new';
  assert.equal(dom.window.postConfigs().service_secret, 'sec-new');
});

test('the page follows the agent language the platform gives, over the browser', async () => {
  const client = { data: { get: async () => ({ loggedInUser: { contact: { language: 'sv' } } }) },
    request: { invokeTemplate: () => ok({}) } };
  const dom = installPage(client, 'en-US');
  await new Promise((r) => setTimeout(r, 10));
  const doc = dom.window.document;
  assert.equal(doc.querySelector('label[for=upsales_api_key]').textContent, 'API-nyckel för Upsales');
  assert.equal(doc.documentElement.getAttribute('lang'), 'sv');
});

const ALL_GOOD = Object.fromEntries(['freshdesk_domain', 'freshdesk_api_key', 'upsales_api_key'].map((k) => [k, { ok: true, message: 'ok' }]));

test('the service secret is required on the page', () => {
  const dom = installPage(clientAnswering(() => ok({})).client);
  const doc = dom.window.document;
  assert.equal(doc.getElementById('service_secret').required, true);
  assert.equal(doc.querySelector('label[for=service_secret]').textContent, 'Service secret');
  assert.doesNotMatch(doc.body.textContent, /optional|if any/i);
});

test('a service that accepts calls without a secret blocks the install', async () => {
  for (const [language, text] of [['en-US', 'This service accepts calls without a secret: its operator must set UFD_SERVICE_SECRET.'],
    ['sv-SE', 'Tjänsten tar emot anrop utan hemlighet: dess drift måste sätta UFD_SERVICE_SECRET.']]) {
    const secret = { required: false, given: true, ok: false };
    const dom = installPage(clientAnswering(() => ok({ ok: false, results: ALL_GOOD, secret })).client, language);
    fill(dom, { ...GOOD, service_secret: 'not-used' });
    assert.equal(await dom.window.validate(), false);
    const doc = dom.window.document;
    assert.equal(doc.getElementById('msg-service_secret').textContent, text);
    assert.equal(doc.getElementById('service_secret').getAttribute('aria-invalid'), 'true');
  }
});

test('the secret the service requires passes', async () => {
  const secret = { required: true, given: true, ok: true };
  const dom = installPage(clientAnswering(() => ok({ ok: true, results: ALL_GOOD, secret })).client);
  fill(dom, GOOD);
  assert.equal(await dom.window.validate(), true);
  assert.equal(dom.window.document.getElementById('msg-service_secret').textContent, '');
});

test('an empty secret is asked for before any request; a wrong one is refused', async () => {
  for (const [language, value, text, calls] of [['en-US', '', 'This setting is required.', 0],
    ['sv-SE', '', 'Inställningen måste fyllas i.', 0], ['en-US', 'wrong', 'The service refused the secret.', 1]]) {
    const fake = clientAnswering(() => Promise.reject({ status: 401 }));
    const dom = installPage(fake.client, language);
    fill(dom, { ...GOOD, service_secret: value });
    assert.equal(await dom.window.validate(), false);
    assert.equal(fake.calls.length, calls);
    assert.equal(dom.window.document.getElementById('msg-service_secret').textContent, text);
    assert.equal(dom.window.document.getElementById('service_secret').getAttribute('aria-invalid'), 'true');
  }
});

test('every text of the page has its Swedish, and nothing English is left in Swedish', async () => {
  const dom = installPage(clientAnswering(() => ok({})).client, 'sv-SE');
  const words = dom.window.eval('UFD_WORDS');
  assert.deepEqual(Object.keys(words.sv).sort(), Object.keys(words.en).sort());
  const doc = dom.window.document;
  for (const node of doc.querySelectorAll('[data-text]')) {
    assert.ok(words.en[node.getAttribute('data-text')], node.getAttribute('data-text'));
    assert.equal(node.textContent, words.sv[node.getAttribute('data-text')]);
  }
  assert.equal(doc.title, 'Upsales för Freshdesk: inställningar');
  assert.equal(doc.getElementById('freshdesk_domain').getAttribute('placeholder'), 'ditt-foretag.freshdesk.com');
});
