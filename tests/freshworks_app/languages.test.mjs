// The app's languages: the service's five, Freshdesk's codes mapped to them, and each
// page's words complete in every language (no key missing or unused, the same
// placeholders and fixed tokens as the English text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { APP, fakeClient, installPage, ok, sidebar } from './harness.mjs';

// The service's languages, as rules/language.py lists them.
const SERVICE = readFileSync(join(APP, '..', 'src', 'upsales_freshdesk', 'rules', 'language.py'), 'utf8');
const LANGUAGES = [...SERVICE.match(/^SUPPORTED = \(([^)]*)\)/m)[1].matchAll(/"(\w+)"/g)].map((m) => m[1]);

// What a translation must keep as the English text has it: {placeholders}, setting names,
// URL schemes and example host names.
const TOKENS = /\{\w+\}|UFD_[A-Z_]+|https:\/\/|\w[\w-]*\.freshdesk\.com|\b\d+\b/g;
const tokens = (text) => (text.match(TOKENS) || []).map((t) => (/\.freshdesk\.com$/.test(t) ? '*.freshdesk.com' : t)).sort();

function checkTable(name, table) {
  assert.deepEqual(Object.keys(table), LANGUAGES, `${name}: the service's languages, in its order`);
  const english = table.en;
  for (const lang of LANGUAGES.slice(1)) {
    const words = table[lang];
    assert.deepEqual(Object.keys(words).sort(), Object.keys(english).sort(), `${name}.${lang}: the English keys, no other`);
    for (const [key, text] of Object.entries(words)) {
      assert.equal(typeof text, 'string', `${name}.${lang}.${key}`);
      assert.ok(text.trim(), `${name}.${lang}.${key} is empty`);
      assert.deepEqual(tokens(text), tokens(english[key]), `${name}.${lang}.${key}: ${text}`);
    }
  }
}

test('the service speaks five languages, English first', () => {
  assert.deepEqual(LANGUAGES, ['en', 'sv', 'nb', 'da', 'fi']);
});

test("Freshdesk's language codes pick the page's language; an unknown one is English", () => {
  const { UfdI18n } = installPage({}).window;
  const words = UfdI18n.words(Object.fromEntries(LANGUAGES.map((l) => [l, {}])));
  for (const [raw, lang] of [
    ['sv-SE', 'sv'], ['nb-NO', 'nb'], ['nb', 'nb'], ['no', 'nb'], ['NO', 'nb'], ['nn-NO', 'nb'],
    ['da', 'da'], ['da-DK', 'da'], ['fi', 'fi'], ['fi_FI', 'fi'], ['en-GB', 'en'], ['de', 'en'],
    ['ja-JP', 'en'], ['', 'en'], [null, 'en'], ['hasOwnProperty', 'en'],
  ]) {
    assert.equal(words.language(raw), lang, String(raw));
  }
});

test("the settings page's words are complete in every language", () => {
  const dom = installPage({});
  checkTable('UFD_WORDS', dom.window.eval('UFD_WORDS'));
});

// text.js keeps its table in a closure and hands it to UfdI18n.words: run it with a
// words() that hands the table back.
function sidebarTable() {
  const context = { window: { UfdI18n: { words: (table) => table } } };
  vm.createContext(context);
  vm.runInContext(readFileSync(join(APP, 'app', 'scripts', 'text.js'), 'utf8'), context);
  return JSON.parse(JSON.stringify(context.window.UfdText));
}

test("the sidebar's words are complete in every language", () => {
  checkTable('TEXT', sidebarTable());
});

test('the settings page quotes the sidebar\'s button as it reads in each language', async () => {
  const ui = await sidebar(fakeClient({ invoke: () => ok({}) }));
  const words = installPage({}).window.eval('UFD_WORDS');
  for (const lang of LANGUAGES) {
    const button = ui.dom.window.UfdText.get(lang, 'sync');
    assert.ok(words[lang].help_auto_lookup.includes(button), `${lang}: ${button}`);
  }
});

test('the sidebar follows a Norwegian, Danish or Finnish agent', async () => {
  for (const [language, lang, button] of [
    ['nb-NO', 'nb', 'Synkroniser kontakt fra Upsales'],
    ['da', 'da', 'Synkroniser kontakt fra Upsales'],
    ['fi', 'fi', 'Synkronoi yhteyshenkilö Upsalesista'],
  ]) {
    const fake = fakeClient({ language, invoke: () => ok({ status: 'found', html: '<section class="ufd-card"></section>' }) });
    const ui = await sidebar(fake);
    assert.equal(ui.button.textContent, button, language);
    assert.equal(ui.doc.documentElement.getAttribute('lang'), lang);
    ui.button.click();
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(fake.calls.invoke[0].body.locale, lang, 'the service is asked in the same language');
  }
});

test('the settings page follows a Norwegian, Danish or Finnish admin', async () => {
  for (const [language, label, lang] of [
    ['nb-NO', 'API-nøkkel for Upsales', 'nb'],
    ['no', 'API-nøkkel for Upsales', 'nb'],
    ['da', 'API-nøgle til Upsales', 'da'],
    ['fi', 'Upsalesin API-avain', 'fi'],
  ]) {
    const client = { data: { get: async () => ({ loggedInUser: { contact: { language } } }) },
      request: { invokeTemplate: () => ok({}) } };
    const dom = installPage(client, 'en-US');
    await new Promise((r) => setTimeout(r, 10));
    const doc = dom.window.document;
    assert.equal(doc.querySelector('label[for=upsales_api_key]').textContent, label, language);
    assert.equal(doc.documentElement.getAttribute('lang'), lang);
  }
});
