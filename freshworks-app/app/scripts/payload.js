/* The bodies of the card's actions, read from the card and the FDK data API. */
(function (root) {
  'use strict';

  // One idempotency key per click: a repeat of the same click does its work once.
  function newKey() {
    var bytes = new Uint8Array(12);
    var crypto = root.crypto || (typeof globalThis !== 'undefined' && globalThis.crypto);
    if (crypto && crypto.getRandomValues) {
      crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i += 1) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    return 'ufd-' + Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }
  function build(sidebar, name, element) {
    var card = element.closest('.ufd-card') || sidebar.result;
    var data = card.dataset || {};
    var form = element.closest('form');
    var self = sidebar;
    var checked = function (inputName) {
      return Array.prototype.map.call(card.querySelectorAll('input[name=' + inputName + ']:checked'),
        function (input) { return input.value; });
    };
    if (name === 'update-freshdesk') {
      // Emptying a field is its own explicit choice ("clear"), never implied by "apply".
      var clear = checked('clear');
      var fields = checked('apply').concat(clear);
      if (!fields.length) { return Promise.reject({ ufdWarning: self.text('pickFields') }); }
      var update = {
        freshdesk_contact_id: Number(data.freshdeskContactId),
        upsales_contact_id: Number(data.upsalesContactId),
        fields: fields,
        clear: clear
      };
      if (data.freshdeskUpdatedAt) { update.freshdesk_updated_at = data.freshdeskUpdatedAt; }
      return Promise.resolve(update);
    }
    if (name === 'undo-update') {
      return sidebar.undoToken ? Promise.resolve({ token: sidebar.undoToken }) : Promise.reject({ ufdWarning: self.text('failed') });
    }
    if (name === 'log-ticket') {
      return sidebar.readTicket().then(function (parts) {
        var ticket = parts[0].ticket || {};
        return { ticket: { id: ticket.id }, upsales_contact_id: Number(data.upsalesContactId) };
      });
    }
    if (name === 'contact-form') {
      var query = form ? form.querySelector('[name=account_query]') : null;
      return sidebar.readTicket().then(function (parts) {
        var requester = parts[1].requester || {};
        var body = { email: requester.email, name: requester.name || null, phone: requester.phone || null, mobile: requester.mobile || null };
        if (requester.id) { body.freshdesk_contact_id = requester.id; }
        if (query && query.value.trim()) { body.account_query = query.value.trim(); }
        return body;
      });
    }
    var value = function (field) {
      var input = form.querySelector('[name=' + field + ']');
      return input && input.value.trim() ? input.value.trim() : null;
    };
    var picked = form.querySelector('input[name=account_id]:checked');
    var newName = form.querySelector('[name=new_account_name]');
    var error = form.querySelector('.ufd-field-error');
    if (error) { error.remove(); }
    if ((!picked || picked.value === 'new') && !value('new_account_name')) {
      // A field error where the agent types, not "the service could not read the request".
      var note = form.ownerDocument.createElement('p');
      note.className = 'ufd-field-error';
      note.setAttribute('role', 'alert');
      note.textContent = self.text('nameCompany');
      if (newName) { newName.insertAdjacentElement('afterend', note); newName.focus(); }
      return Promise.reject({ ufdWarning: self.text('nameCompany') });
    }
    var body = { name: value('name'), email: value('email'), phone: value('phone'), mobile: value('mobile'), title: value('title') };
    if (!picked || picked.value === 'new') {
      body.account = { name: value('new_account_name') || '' };
    } else {
      body.account = { id: Number(picked.value) };
    }
    return Promise.resolve(body);
  }

  root.UfdPayload = { build: build, newKey: newKey };
})(typeof window !== 'undefined' ? window : globalThis);
