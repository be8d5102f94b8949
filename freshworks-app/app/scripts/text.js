/* The sidebar's own words, by language (the card itself comes translated from the service). */
(function (root) {
  'use strict';

  const TEXT = {
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
      // Each action's texts (its `texts` in actions.js): its progress, what a failure did
      // not do, and what a lost answer may not have done (the write may have arrived;
      // every write checks before it writes).
      'update.working': 'Updating the contact in Freshdesk…',
      'update.notDone': 'Freshdesk was not updated',
      'update.maybe': 'Maybe not updated in Freshdesk',
      'undo.working': 'Undoing the update…',
      'undo.notDone': 'Not undone',
      'undo.maybe': 'Maybe not undone',
      'log.working': 'Logging the ticket to Upsales…',
      'log.notDone': 'Not logged',
      'log.maybe': 'Maybe not logged',
      'create.working': 'Creating the contact in Upsales…',
      'create.notDone': 'Not created in Upsales',
      'create.maybe': 'Maybe not created in Upsales',
      'form.working': 'Opening the form…',
      'form.notDone': 'The form did not open',
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
      'update.working': 'Uppdaterar kontakten i Freshdesk…',
      'update.notDone': 'Freshdesk uppdaterades inte',
      'update.maybe': 'Kanske inte uppdaterat i Freshdesk',
      'undo.working': 'Ångrar uppdateringen…',
      'undo.notDone': 'Inte ångrat',
      'undo.maybe': 'Kanske inte ångrat',
      'log.working': 'Loggar ärendet i Upsales…',
      'log.notDone': 'Inte loggat',
      'log.maybe': 'Kanske inte loggat',
      'create.working': 'Skapar kontakten i Upsales…',
      'create.notDone': 'Inte skapad i Upsales',
      'create.maybe': 'Kanske inte skapad i Upsales',
      'form.working': 'Öppnar formuläret…',
      'form.notDone': 'Formuläret öppnades inte',
      actionBusy: 'För många anrop just nu. Försök igen om en minut.',
      actionRefused: 'Begäran nekades. Kontrollera appens inställningar.',
      actionLost: 'Inget svar kom. Synka för att se; det går bra att försöka igen.',
      actionLostRead: 'Inget svar kom. Försök igen.'
    }
  };

  root.UfdText = root.UfdI18n.words(TEXT);
})(typeof window !== 'undefined' ? window : globalThis);
