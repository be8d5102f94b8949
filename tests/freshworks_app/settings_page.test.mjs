// The settings page: every setting's result shows, whatever else is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installPage, ok } from './harness.mjs';

const GOOD = { freshdesk_domain: 'demo.freshdesk.com', freshdesk_api_key: 'fd-key', upsales_api_key: 'us-key', service_host: 'ufd.example.com', service_secret: 'a-service-secret-of-32-characters-0' };

function page(language = 'en') {
  const calls = [];
  const client = { request: { invokeTemplate: (name, options) => { calls.push({ name, options }); return ok({}); } } };
  const dom = installPage(client, language);
  const fill = (values) => { for (const [k, v] of Object.entries(values)) dom.window.document.getElementById(k).value = v; };
  const msg = (name) => dom.window.document.getElementById(`msg-${name}`).textContent;
  return { dom, calls, fill, msg };
}

for (const [language, host, notChecked] of [['en', /IP address/, /service host/], ['sv-SE', /IP-adress/, /värdnamn/]]) {
  test(`an IP address as the host shows the host's error and each key's result (${language})`, async () => {
    const { dom, calls, fill, msg } = page(language);
    fill({ ...GOOD, service_host: '10.0.0.7', upsales_api_key: '' });
    assert.equal(await dom.window.validate(), false);
    assert.equal(calls.length, 0); // the platform sends nothing to an IP address
    assert.match(msg('service_host'), host);
    assert.match(msg('freshdesk_api_key'), notChecked);
    assert.match(msg('service_secret'), notChecked);
    assert.notEqual(msg('upsales_api_key'), ''); // required, said as such
    assert.doesNotMatch(msg('upsales_api_key'), notChecked);
  });
}

test('a wrong domain says the keys were not checked', async () => {
  const { dom, calls, fill, msg } = page();
  fill({ ...GOOD, freshdesk_domain: 'demo.zendesk.com' });
  assert.equal(await dom.window.validate(), false);
  assert.equal(calls.length, 0);
  assert.match(msg('freshdesk_api_key'), /Freshdesk domain first/);
  assert.match(msg('upsales_api_key'), /Freshdesk domain first/);
});

for (const [language, opens] of [['en', /when the agent opens the app/], ['sv-SE', /när agenten öppnar appen/]]) {
  test(`"Look up automatically" says it means when the agent opens the app (${language})`, () => {
    const { dom } = page(language);
    const doc = dom.window.document;
    assert.match(doc.querySelector('[data-text=auto_lookup]').textContent, opens);
    assert.match(doc.getElementById('help-auto_lookup').textContent, /50/);
  });
}

// "Edit settings" on a platform that hands the secure values masked.
const MASKED = { freshdesk_domain: 'demo.freshdesk.com', freshdesk_api_key: '********', upsales_api_key: '********', service_host: 'ufd.example.com', service_secret: '********', auto_lookup: 'false' };
const RESULTS = { ok: false, secret: { required: true, given: true, ok: true }, results: {
  freshdesk_domain: { ok: true, message: 'The Freshdesk domain looks right.' },
  freshdesk_api_key: { ok: false, message: 'The Freshdesk API key was refused.' },
  upsales_api_key: { ok: true, message: 'The Upsales API key works.' },
} };

test('masked keys are sent back as they came, and never to the service', async () => {
  const { dom, calls, fill, msg } = page();
  dom.window.getConfigs(MASKED);
  fill({ freshdesk_domain: 'other.freshdesk.com' });
  assert.equal(await dom.window.validate(), true);
  assert.equal(calls.length, 0); // without the secret typed anew the service is not asked
  assert.match(msg('upsales_api_key'), /Unchanged/);
  const configs = dom.window.postConfigs();
  assert.equal(configs.upsales_api_key, '********');
  assert.equal(configs.service_secret, '********');
  assert.equal(configs.freshdesk_domain, 'other.freshdesk.com');
});

test('a key typed anew with a kept secret asks for the secret, sending nothing', async () => {
  const { dom, calls, fill, msg } = page('sv-SE');
  dom.window.getConfigs(MASKED);
  fill({ upsales_api_key: 'new-upsales-key' });
  assert.equal(await dom.window.validate(), false);
  assert.equal(calls.length, 0);
  assert.match(msg('upsales_api_key'), /hemlighet igen/);
});

test('with the secret typed anew, typed keys are checked and kept ones are never sent', async () => {
  const calls = [];
  const client = { request: { invokeTemplate: (name, options) => { calls.push({ name, options }); return ok(RESULTS); } } };
  const dom = installPage(client, 'en');
  dom.window.getConfigs(MASKED);
  const doc = dom.window.document;
  doc.getElementById('service_secret').value = 'a-service-secret-of-32-characters-0';
  doc.getElementById('upsales_api_key').value = 'new-upsales-key';
  assert.equal(await dom.window.validate(), true); // the kept Freshdesk key's "refused" is not its result
  const context = calls[0].options.context;
  assert.equal(context.upsales_api_key, 'new-upsales-key');
  assert.equal(context.freshdesk_api_key, '');
  assert.ok(!JSON.stringify(calls).includes('********'));
  assert.match(doc.getElementById('msg-freshdesk_api_key').textContent, /Unchanged/);
  assert.match(doc.getElementById('msg-upsales_api_key').textContent, /works/);
});
