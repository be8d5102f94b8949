// The language helpers both pages share, and the texts each action needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP, fakeClient, installPage, ok, sidebar } from './harness.mjs';

test('the sidebar and the settings page load the same language helpers', () => {
  // Each page loads the file from its own folder (the settings page's assets live in
  // config/assets/), and the two copies are one file, byte for byte.
  const pages = { 'app/index.html': 'scripts/i18n.js', 'config/iparams.html': './assets/i18n.js' };
  for (const [page, src] of Object.entries(pages)) {
    assert.ok(readFileSync(join(APP, page), 'utf8').includes(`src="${src}"`), page);
  }
  assert.equal(
    readFileSync(join(APP, 'config/assets/i18n.js'), 'utf8'),
    readFileSync(join(APP, 'app/scripts/i18n.js'), 'utf8'),
  );
});

test('a locale picks its language, and one the app does not have is English', async () => {
  const ui = await sidebar(fakeClient({ invoke: () => ok({}) }));
  const { UfdText } = ui.dom.window;
  for (const [raw, lang] of [['sv-SE', 'sv'], ['sv_SE', 'sv'], ['SV', 'sv'], ['en-GB', 'en'], ['de', 'en'], ['', 'en'], [null, 'en'], ['constructor', 'en']]) {
    assert.equal(UfdText.language(raw), lang, String(raw));
  }
});

test('the agent\'s language comes from the platform; a data API that fails gives none', async () => {
  const { UfdI18n } = installPage({}).window;
  assert.equal(await UfdI18n.agentLanguage({ data: { get: async () => ({ loggedInUser: { contact: { language: 'sv' } } }) } }), 'sv');
  assert.equal(await UfdI18n.agentLanguage({ data: { get: async () => ({ loggedInUser: { language: 'sv-SE' } }) } }), 'sv-SE');
  assert.equal(await UfdI18n.agentLanguage({ data: { get: async () => { throw new Error('no user'); } } }), null);
  assert.equal(await UfdI18n.agentLanguage({}), null);
});

test('every action has its progress and failure texts in each language', async () => {
  const ui = await sidebar(fakeClient({ invoke: () => ok({}) }));
  const { UfdActions, UfdText } = ui.dom.window;
  assert.deepEqual([...UfdActions.actions.keys()].sort(),
    ['company', 'contact-form', 'create-upsales', 'follow-up', 'link-contact', 'log-ticket',
      'search-contacts', 'undo-update', 'unlink-contact', 'update-freshdesk']);
  for (const [name, action] of UfdActions.actions) {
    const keys = ['working', 'notDone', ...(action.writes ? ['maybe'] : [])];
    for (const lang of ['en', 'sv']) {
      for (const key of keys) {
        assert.ok(UfdText.get(lang, `${action.texts}.${key}`), `${name} ${lang} ${key}`);
      }
    }
  }
});
