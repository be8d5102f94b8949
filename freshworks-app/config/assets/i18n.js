/* The language helpers of both pages: the sidebar loads app/scripts/i18n.js and the
 * settings page config/assets/i18n.js, the same file twice. The platform serves a custom
 * settings page with its assets from config/assets/ and documents no way to load a file
 * of app/ from it, so the copy is kept identical by tests/freshworks_app/i18n.test.mjs.
 *
 * Each page keeps its own words (a table by language); this picks the language for a
 * locale and looks a key up in it. The agent's language comes from the platform.
 */
(function (root) {
  'use strict';

  const FALLBACK = 'en';
  // Codes that mean one of ours under another name: Norwegian as the macrolanguage, and
  // Nynorsk, whose readers read Bokmål (as the service's rules/language.py has it).
  const ALIASES = { no: 'nb', nn: 'nb' };

  // Freshdesk's codes: "sv-SE", "nb-NO", "da", "fi" (also "sv_SE", "SV"); a language the
  // table does not have is English.
  function pick(table, raw) {
    const code = String(raw || '').replace('_', '-').split('-')[0].trim().toLowerCase();
    const language = Object.hasOwn(ALIASES, code) ? ALIASES[code] : code;
    return Object.hasOwn(table, language) ? language : FALLBACK;
  }

  // The words of one page: language(raw) -> a language it has; get(lang, key) -> its text.
  function words(table) {
    return {
      language: (raw) => pick(table, raw),
      get: (lang, key) => table[pick(table, lang)][key],
    };
  }

  // The agent's language as the platform gives it, or null (no data API, no answer).
  async function agentLanguage(client) {
    try {
      const data = client?.data?.get ? await client.data.get('loggedInUser') : null;
      const user = data?.loggedInUser ?? {};
      return user.contact?.language || user.language || null;
    } catch {
      return null;
    }
  }

  root.UfdI18n = { words, agentLanguage };
})(typeof window !== 'undefined' ? window : globalThis);
