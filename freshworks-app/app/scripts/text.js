/* The app's own words, by language (the card itself comes translated from the service). */
(function (root) {
  'use strict';
  var TEXT = {
    en: {
      sync: 'Sync contact from Upsales',
      working: 'Looking up the contact in Upsales…',
      title: 'Upsales',
      unreachable: 'The Upsales service could not be reached. Try again.',
      failed: 'The lookup failed. Try again.',
      timeout: 'The lookup took too long. Try again.',
      busyPlatform: 'Too many lookups right now. Try again in a minute.',
      noRequester: 'This ticket has no requester email to look up.',
      pickFields: 'Check the fields to copy from Upsales first.',
      undo: 'Undo the update',
      done: 'Done.',
      nameCompany: 'Name the new company.'
    },
    sv: {
      sync: 'Synka kontakt från Upsales',
      working: 'Söker kontakten i Upsales…',
      title: 'Upsales',
      unreachable: 'Upsales-tjänsten gick inte att nå. Försök igen.',
      failed: 'Sökningen misslyckades. Försök igen.',
      timeout: 'Sökningen tog för lång tid. Försök igen.',
      busyPlatform: 'För många sökningar just nu. Försök igen om en minut.',
      noRequester: 'Ärendet saknar e-postadress att söka på.',
      pickFields: 'Markera först vilka fält som ska kopieras från Upsales.',
      undo: 'Ångra uppdateringen',
      done: 'Klart.',
      nameCompany: 'Ange namnet på det nya företaget.'
    }
  };

  function language(raw) {
    var code = String(raw || '').replace('_', '-').split('-')[0].toLowerCase();
    return Object.prototype.hasOwnProperty.call(TEXT, code) ? code : 'en';
  }

  root.UfdText = {
    language: language,
    get: function (lang, key) { return TEXT[language(lang)][key]; }
  };
})(typeof window !== 'undefined' ? window : globalThis);
