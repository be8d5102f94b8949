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
      nameCompany: 'Name the new company.',
      // Each action: its progress, what a failure did not do, and what a lost answer may
      // not have done (the write may have arrived; every write checks before it writes).
      'update-freshdesk.working': 'Updating the contact in Freshdesk…',
      'update-freshdesk.notDone': 'Freshdesk was not updated',
      'update-freshdesk.maybe': 'Maybe not updated in Freshdesk',
      'undo-update.working': 'Undoing the update…',
      'undo-update.notDone': 'Not undone',
      'undo-update.maybe': 'Maybe not undone',
      'log-ticket.working': 'Logging the ticket to Upsales…',
      'log-ticket.notDone': 'Not logged',
      'log-ticket.maybe': 'Maybe not logged',
      'create-upsales.working': 'Creating the contact in Upsales…',
      'create-upsales.notDone': 'Not created in Upsales',
      'create-upsales.maybe': 'Maybe not created in Upsales',
      'contact-form.working': 'Opening the form…',
      'contact-form.notDone': 'The form did not open',
      actionBusy: 'Too many requests right now. Try again in a minute.',
      actionRefused: 'The request was refused. Check the app settings.',
      actionLost: 'No answer came. Sync to check; trying again is safe.',
      actionLostRead: 'No answer came. Try again.'
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
      nameCompany: 'Ange namnet på det nya företaget.',
      'update-freshdesk.working': 'Uppdaterar kontakten i Freshdesk…',
      'update-freshdesk.notDone': 'Freshdesk uppdaterades inte',
      'update-freshdesk.maybe': 'Kanske inte uppdaterat i Freshdesk',
      'undo-update.working': 'Ångrar uppdateringen…',
      'undo-update.notDone': 'Inte ångrat',
      'undo-update.maybe': 'Kanske inte ångrat',
      'log-ticket.working': 'Loggar ärendet i Upsales…',
      'log-ticket.notDone': 'Inte loggat',
      'log-ticket.maybe': 'Kanske inte loggat',
      'create-upsales.working': 'Skapar kontakten i Upsales…',
      'create-upsales.notDone': 'Inte skapad i Upsales',
      'create-upsales.maybe': 'Kanske inte skapad i Upsales',
      'contact-form.working': 'Öppnar formuläret…',
      'contact-form.notDone': 'Formuläret öppnades inte',
      actionBusy: 'För många anrop just nu. Försök igen om en minut.',
      actionRefused: 'Begäran nekades. Kontrollera appens inställningar.',
      actionLost: 'Inget svar kom. Synka för att se; det går bra att försöka igen.',
      actionLostRead: 'Inget svar kom. Försök igen.'
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
