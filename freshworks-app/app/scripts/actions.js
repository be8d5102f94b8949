/* The card's actions, one row each: the request template it sends (named literally, so
 * that the app checker can see it), whether it writes, how its body is built from the
 * card, its form and the FDK data API, and the prefix of its texts in text.js.
 */
(function (root) {
  'use strict';

  // Nothing was sent: the agent has something to do first (a warning, not a failure).
  class AskFirst extends Error {}

  // One idempotency key per click: a repeat of the same click does its work once.
  function newKey() {
    const bytes = new Uint8Array(12);
    root.crypto.getRandomValues(bytes);
    return `ufd-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  }

  const checked = (card, name) =>
    Array.from(card.querySelectorAll(`input[name=${name}]:checked`), (input) => input.value);

  // Emptying a field is its own explicit choice ("clear"), never implied by "apply".
  function updateBody({ sidebar, card }) {
    const data = card.dataset;
    const clear = checked(card, 'clear');
    const fields = [...checked(card, 'apply'), ...clear];
    if (!fields.length) { throw new AskFirst(sidebar.text('pickFields')); }
    const body = {
      freshdesk_contact_id: Number(data.freshdeskContactId),
      upsales_contact_id: Number(data.upsalesContactId),
      fields,
      clear,
    };
    if (data.freshdeskUpdatedAt) { body.freshdesk_updated_at = data.freshdeskUpdatedAt; }
    return body;
  }

  function undoBody({ sidebar }) {
    if (!sidebar.undoToken) { throw new AskFirst(sidebar.text('failed')); }
    return { token: sidebar.undoToken };
  }

  async function logBody({ sidebar, card }) {
    const { ticket } = await sidebar.readTicket();
    const body = { ticket: { id: ticket.id }, upsales_contact_id: Number(card.dataset.upsalesContactId) };
    const agent = await loggedInAgent(sidebar.client);
    if (agent) { body.agent = agent; }
    return body;
  }

  // The Freshdesk agent who logs (the data API's loggedInUser), named on the activity.
  async function loggedInAgent(client) {
    try {
      const data = client?.data?.get ? await client.data.get('loggedInUser') : null;
      const user = data?.loggedInUser ?? {};
      const name = (user.contact?.name || user.name || '').trim();
      const email = (user.contact?.email || user.email || '').trim();
      return name || email ? { name: name || null, email: email || null } : null;
    } catch {
      return null;
    }
  }

  async function formBody({ sidebar, form }) {
    const query = form?.querySelector('[name=account_query]')?.value.trim();
    const { requester } = await sidebar.readTicket();
    const body = {
      email: requester.email,
      name: requester.name || null,
      phone: requester.phone || null,
      mobile: requester.mobile || null,
    };
    if (requester.id) { body.freshdesk_contact_id = requester.id; }
    if (query) { body.account_query = query; }
    return body;
  }

  function createBody({ sidebar, form }) {
    const value = (field) => form.querySelector(`[name=${field}]`)?.value.trim() || null;
    const picked = form.querySelector('input[name=account_id]:checked');
    const isNew = !picked || picked.value === 'new';
    form.querySelector('.ufd-field-error')?.remove();
    if (isNew && !value('new_account_name')) {
      // A field error where the agent types, not "the service could not read the request".
      const note = form.ownerDocument.createElement('p');
      note.className = 'ufd-field-error';
      note.setAttribute('role', 'alert');
      note.textContent = sidebar.text('nameCompany');
      const newName = form.querySelector('[name=new_account_name]');
      if (newName) {
        newName.insertAdjacentElement('afterend', note);
        newName.focus();
      }
      throw new AskFirst(sidebar.text('nameCompany'));
    }
    return {
      name: value('name'),
      email: value('email'),
      phone: value('phone'),
      mobile: value('mobile'),
      title: value('title'),
      account: isNew ? { name: value('new_account_name') } : { id: Number(picked.value) },
    };
  }

  // Link the Upsales contact of the clicked button to the requester's Freshdesk contact;
  // `replaces` is the link the card showed (one to a deleted contact, when relinking).
  async function linkBody({ sidebar, card, element }) {
    const { ticket } = await sidebar.readTicket();
    const body = {
      ticket_id: ticket.id,
      freshdesk_contact_id: Number(card.dataset.freshdeskContactId),
      upsales_contact_id: Number(element.getAttribute('data-upsales-contact-id')),
    };
    if (card.dataset.linkedId) { body.replaces = Number(card.dataset.linkedId); }
    return body;
  }

  async function unlinkBody({ sidebar, card, element }) {
    const { ticket } = await sidebar.readTicket();
    return {
      ticket_id: ticket.id,
      freshdesk_contact_id: Number(card.dataset.freshdeskContactId),
      upsales_contact_id: Number(element.getAttribute('data-upsales-contact-id')),
    };
  }

  async function followUpBody({ sidebar, card, form }) {
    const value = (field) => form?.querySelector(`[name=${field}]`)?.value.trim() || '';
    if (!value('due_date')) { throw new AskFirst(sidebar.text('pickDue')); }
    const { ticket } = await sidebar.readTicket();
    return {
      ticket: { id: ticket.id },
      upsales_contact_id: Number(card.dataset.upsalesContactId),
      user_id: Number(value('user_id')),
      kind: value('kind') || 'todo',
      due_date: value('due_date'),
      note: value('note'),
    };
  }

  function searchBody({ sidebar, card, element }) {
    const box = element.closest('details') || card;
    const query = box.querySelector('[name=contact_query]')?.value.trim() || '';
    if (query.length < 2) { throw new AskFirst(sidebar.text('typeQuery')); }
    const body = { query };
    if (card.dataset.freshdeskContactId) {
      body.freshdesk_contact_id = Number(card.dataset.freshdeskContactId);
    }
    return body;
  }

  function companyBody({ card, element }) {
    const data = element.dataset;
    const body = { upsales_account_id: Number(data.upsalesAccountId) };
    if (card.dataset.upsalesContactId) { body.upsales_contact_id = Number(card.dataset.upsalesContactId); }
    if (data.freshdeskCompanyId) { body.freshdesk_company_id = Number(data.freshdeskCompanyId); }
    return body;
  }

  // The name is the card's data-action (the service renders the card).
  const ACTIONS = new Map([
    ['update-freshdesk', {
      send: (client, options) => client.request.invokeTemplate('update_freshdesk', options),
      writes: true,
      body: updateBody,
      texts: 'update',
      offersUndo: true,
    }],
    ['undo-update', {
      send: (client, options) => client.request.invokeTemplate('undo_update', options),
      writes: true,
      body: undoBody,
      texts: 'undo',
    }],
    ['log-ticket', {
      send: (client, options) => client.request.invokeTemplate('log_ticket', options),
      writes: true,
      body: logBody,
      texts: 'log',
    }],
    ['contact-form', {
      send: (client, options) => client.request.invokeTemplate('contact_form', options),
      writes: false,
      body: formBody,
      texts: 'form',
    }],
    ['create-upsales', {
      send: (client, options) => client.request.invokeTemplate('create_upsales', options),
      writes: true,
      body: createBody,
      texts: 'create',
    }],
    ['link-contact', {
      send: (client, options) => client.request.invokeTemplate('link_contact', options),
      writes: true,
      body: linkBody,
      texts: 'link',
    }],
    ['unlink-contact', {
      send: (client, options) => client.request.invokeTemplate('unlink_contact', options),
      writes: true,
      body: unlinkBody,
      texts: 'unlink',
    }],
    ['follow-up', {
      send: (client, options) => client.request.invokeTemplate('follow_up', options),
      writes: true,
      body: followUpBody,
      texts: 'followUp',
    }],
    // Reads that fill a part of the card (`part`): the search results, the company section.
    ['search-contacts', {
      send: (client, options) => client.request.invokeTemplate('search_contacts', options),
      writes: false,
      body: searchBody,
      texts: 'search',
    }],
    ['company', {
      send: (client, options) => client.request.invokeTemplate('company', options),
      writes: false,
      body: companyBody,
      texts: 'company',
    }],
  ]);

  root.UfdActions = { actions: ACTIONS, newKey, AskFirst };
})(typeof window !== 'undefined' ? window : globalThis);
