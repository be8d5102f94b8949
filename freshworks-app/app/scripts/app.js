/* Ticket sidebar: "Sync contact from Upsales".
 *
 * One click reads the ticket, requester and agent from the data API, calls the
 * backend through the `card` request template (the keys travel only in its headers),
 * shows the card the backend rendered (escaped there) and reports each problem with
 * a notification. A second click while a lookup runs does nothing.
 *
 * The platform keeps the app loaded while the agent moves between tickets: it fires
 * app.deactivated, then app.activated, and client.data.get('ticket') gives the new
 * ticket. Each switch clears the card, the chosen contact and the undo offer, and every
 * answer is tagged with the generation it was asked for: an answer for an earlier
 * ticket is dropped, so one ticket's card never shows (or acts) on another's.
 */
(function (root) {
  'use strict';

  var FRAME_HEIGHT = '520px';
  // One request template per action, named literally so that the app checker can see them.
  var SEND = {
    'update-freshdesk': function (client, options) { return client.request.invokeTemplate('update_freshdesk', options); },
    'log-ticket': function (client, options) { return client.request.invokeTemplate('log_ticket', options); },
    'contact-form': function (client, options) { return client.request.invokeTemplate('contact_form', options); },
    'create-upsales': function (client, options) { return client.request.invokeTemplate('create_upsales', options); },
    'undo-update': function (client, options) { return client.request.invokeTemplate('undo_update', options); }
  };
  // Actions that write: each click gets its own idempotency key, so a repeat does it once.
  var WRITES = { 'update-freshdesk': true, 'log-ticket': true, 'create-upsales': true, 'undo-update': true };

  var TITLE_MAX = 30;
  var MESSAGE_MAX = 100;

  function clip(text, max) {
    text = String(text || '');
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
  }

  function Sidebar(client, doc) {
    this.client = client;
    this.doc = doc;
    this.button = doc.getElementById('ufd-sync');
    this.progress = doc.getElementById('ufd-progress');
    this.result = doc.getElementById('ufd-result');
    this.main = doc.getElementById('ufd-app');
    this.lang = 'en';
    this.busy = false;
    this.generation = 0;
    this.chosen = null;
    this.undoToken = null;
    var self = this;
    this.onSync = function () { self.undoToken = null; self.lookup(self.chosen); };
    this.button.addEventListener('click', this.onSync);
    this.result.addEventListener('click', function (event) {
      if (!event.target.closest) { return; }
      var action = event.target.closest('[data-action]');
      if (action) {
        self.act(action.getAttribute('data-action'), action);
        return;
      }
      var choice = event.target.closest('[data-upsales-contact-id].ufd-choose');
      if (choice) {
        // The agent's pick holds for this ticket: refreshes and actions keep it.
        self.chosen = Number(choice.getAttribute('data-upsales-contact-id'));
        self.lookup(self.chosen);
      }
    });
  }

  Sidebar.prototype.text = function (key) {
    return root.UfdText.get(this.lang, key);
  };

  // A new ticket (or none): forget everything of the last one.
  Sidebar.prototype.reset = function () {
    this.generation += 1;
    this.chosen = null;
    this.undoToken = null;
    this.result.innerHTML = '';
    this.result.removeAttribute('data-status');
    this.result.classList.remove('ufd-refreshing');
    this.cardHtml = null;
    this.setBusy(false);
  };

  Sidebar.prototype.deactivate = function () {
    this.reset();
  };

  Sidebar.prototype.useCrayons = function () {
    var upgraded = root.UfdCrayons.upgradeButton(this.button);
    if (upgraded !== this.button) {
      upgraded.addEventListener('click', this.onSync);
      this.button = upgraded;
    }
    this.crayons = true;
    root.UfdCrayons.enhance(this.result);
  };

  Sidebar.prototype.activate = function () {
    var self = this;
    this.reset();
    return this.client.data.get('loggedInUser').then(function (data) {
      var user = (data && data.loggedInUser) || {};
      self.lang = root.UfdText.language((user.contact && user.contact.language) || user.language);
    }).catch(function () {
      self.lang = 'en';
    }).then(function () {
      self.doc.documentElement.setAttribute('lang', self.lang);
      self.button.textContent = self.text('sync');
      self.progress.textContent = self.text('working');
      self.setDisabled(self.button, false);
      return self.autoLookup();
    });
  };

  // The optional "look up automatically" setting (off by default: a lookup costs calls).
  Sidebar.prototype.autoLookup = function () {
    var self = this;
    var generation = this.generation;
    if (!this.client.iparams || !this.client.iparams.get) { return Promise.resolve(false); }
    return this.client.iparams.get().then(function (iparams) {
      var on = iparams && (iparams.auto_lookup === true || iparams.auto_lookup === 'true');
      return on && self.current(generation) ? self.lookup(null) : false;
    }).catch(function () { return false; });
  };

  Sidebar.prototype.setDisabled = function (element, disabled) {
    element.disabled = disabled;
    if (disabled) { element.setAttribute('disabled', ''); } else { element.removeAttribute('disabled'); }
  };

  // Is this answer still for the ticket on screen?
  Sidebar.prototype.current = function (generation) {
    return generation === this.generation;
  };

  Sidebar.prototype.setBusy = function (busy) {
    this.busy = busy;
    this.setDisabled(this.button, busy);
    this.progress.hidden = !busy;
    this.main.setAttribute('aria-busy', busy ? 'true' : 'false');
  };

  Sidebar.prototype.readTicket = function () {
    var data = this.client.data;
    var optional = function (name) {
      return data.get(name).catch(function () { return {}; });
    };
    return Promise.all([data.get('ticket'), data.get('requester'), optional('company')]);
  };

  Sidebar.prototype.request = function (parts, contactId) {
    var ticket = parts[0].ticket || {};
    var requester = parts[1].requester || {};
    var company = parts[2] && parts[2].company;
    var body = {
      ticket: { id: ticket.id, subject: ticket.subject || null },
      requester: {
        id: requester.id || null,
        email: requester.email,
        name: requester.name || null,
        phone: requester.phone || null,
        mobile: requester.mobile || null
      },
      locale: this.lang
    };
    if (company && company.id) {
      body.company = { id: company.id, name: company.name || null };
    }
    if (contactId) {
      body.upsales_contact_id = contactId;
    }
    return body;
  };

  Sidebar.prototype.lookup = function (contactId) {
    if (this.busy) {
      return Promise.resolve(false);
    }
    var self = this;
    var generation = this.generation;
    this.progress.textContent = this.text('working');
    this.setBusy(true);
    this.result.classList.add('ufd-refreshing');
    return this.readTicket().then(function (parts) {
      if (!self.current(generation)) { return null; }
      var body = self.request(parts, contactId);
      if (!body.requester.email) {
        self.notify('warning', self.text('noRequester'));
        return null;
      }
      return self.client.request.invokeTemplate('card', {
        context: { locale: self.lang },
        body: JSON.stringify(body)
      }).then(function (response) {
        if (self.current(generation)) { self.handle(response); }
      }, function (error) {
        if (self.current(generation)) { self.handleFailure(error); }
      });
    }).catch(function () {
      if (self.current(generation)) { self.notify('danger', self.text('failed')); }
    }).then(function () {
      if (!self.current(generation)) { return null; }
      self.setBusy(false);
      self.result.classList.remove('ufd-refreshing');
      return self.client.instance.resize({ height: FRAME_HEIGHT });
    }).then(function () {
      return true;
    }, function () {
      return true;
    });
  };

  Sidebar.prototype.payload = function (name, element) {
    return root.UfdPayload.build(this, name, element);
  };

  // The clicked control shows that it is working (not the whole sidebar, silently).
  Sidebar.prototype.markBusy = function (element, busy) {
    if (!element || !element.setAttribute) { return; }
    element.setAttribute('aria-busy', busy ? 'true' : 'false');
    this.setDisabled(element, busy);
  };

  Sidebar.prototype.act = function (name, element) {
    if (name === 'cancel-form') {
      this.cancelForm();
      return Promise.resolve(true);
    }
    if (this.busy || !SEND[name]) {
      return Promise.resolve(false);
    }
    var self = this;
    var generation = this.generation;
    var refresh = false;
    // The action's own progress ("Logging the ticket to Upsales…"), not the lookup's.
    this.progress.textContent = this.text(name + '.working');
    this.setBusy(true);
    this.markBusy(element, true);
    return this.payload(name, element).then(function (body) {
      if (!self.current(generation)) { return null; }
      body.locale = self.lang;
      if (WRITES[name]) { body.idempotency_key = root.UfdPayload.newKey(); }
      return SEND[name](self.client, { context: { locale: self.lang }, body: JSON.stringify(body) });
    }).then(function (response) {
      if (!response || !self.current(generation)) { return; }
      var data = self.parse(response.response);
      if (response.status === 200 && data && data.status === 'form') {
        // Kept for Cancel: with the clicked button back to normal first, else the card
        // comes back with its create button still busy and disabled.
        self.markBusy(element, false);
        if (!self.result.querySelector('form')) { self.cardHtml = self.result.innerHTML; }
        self.result.innerHTML = data.html;
        if (self.crayons) { root.UfdCrayons.enhance(self.result); }
      } else if (response.status === 200 && data) {
        self.notify('success', data.message || self.text('done'));
        // "Update Freshdesk" can be undone: keep the signed token until the card changes.
        self.undoToken = (name === 'update-freshdesk' && data.details && data.details.undo) || null;
        refresh = true;
      } else {
        self.actionFailed(name, { status: response.status, response: response.response });
      }
    }, function (error) {
      if (!self.current(generation)) { return; }
      if (error && error.ufdWarning) {
        self.notify('warning', error.ufdWarning);
      } else {
        self.actionFailed(name, error);
      }
    }).then(function () {
      if (!self.current(generation)) { return null; }
      self.setBusy(false);
      self.markBusy(element, false);
      return refresh ? self.lookup(self.chosen) : self.client.instance.resize({ height: FRAME_HEIGHT });
    }).then(function () { return true; }, function () { return true; });
  };

  // Cancel on the create form: back to the card it came from, nothing sent.
  Sidebar.prototype.cancelForm = function () {
    if (this.busy) { return; }
    this.result.innerHTML = this.cardHtml || '';
    this.cardHtml = null;
    if (this.crayons) { root.UfdCrayons.enhance(this.result); }
  };

  Sidebar.prototype.parse = function (raw) {
    if (raw && typeof raw === 'object') {
      return raw;
    }
    try {
      return JSON.parse(raw);
    } catch (e) {
      return null;
    }
  };

  Sidebar.prototype.handle = function (response) {
    var status = response && response.status;
    var data = this.parse(response && response.response);
    if (status === 200 && data && typeof data.html === 'string') {
      this.show(data);
      return;
    }
    this.handleFailure({ status: status, response: response && response.response });
  };

  Sidebar.prototype.show = function (data) {
    // The backend renders the card with autoescape: CRM text arrives as text, never markup.
    this.result.innerHTML = data.html;
    this.result.setAttribute('data-status', data.status);
    if (this.undoToken) { this.offerUndo(); }
    if (this.crayons) { root.UfdCrayons.enhance(this.result); }
    this.report(data.errors || []);
  };

  Sidebar.prototype.offerUndo = function () {
    var bar = this.doc.createElement('p');
    bar.className = 'ufd-undo';
    var button = this.doc.createElement('button');
    button.type = 'button';
    button.className = 'ufd-action';
    button.setAttribute('data-action', 'undo-update');
    button.textContent = this.text('undo');
    bar.appendChild(button);
    this.result.insertBefore(bar, this.result.firstChild);
  };

  Sidebar.prototype.report = function (errors) {
    for (var i = 0; i < errors.length; i += 1) {
      var issue = errors[i];
      this.notify(issue.level === 'warning' ? 'warning' : 'danger', issue.message || this.text('failed'));
    }
  };

  Sidebar.prototype.handleFailure = function (error) {
    error = error || {};
    var data = this.parse(error.response);
    if (data && data.errors && data.errors.length) {
      this.report(data.errors);
      return;
    }
    var status = Number(error.status);
    var key = 'unreachable';
    if (status === 429) {
      key = 'busyPlatform';
    } else if (status === 504 || /timeout/i.test(String(error.message || ''))) {
      key = 'timeout';
    } else if (status >= 400 && status < 500) {
      key = 'failed';
    }
    this.notify('danger', this.text(key));
  };

  // A failed action says what it did not do, and whether trying again is safe. The
  // service phrases its own refusals for the action (the envelope names it); a refusal
  // given before the action ran (the service secret, a body too large) is in the card's
  // words, so it gets the action's opening here.
  Sidebar.prototype.actionFailed = function (name, error) {
    error = error || {};
    var notDone = this.text(name + '.notDone');
    var data = this.parse(error.response);
    if (data && data.errors && data.errors.length) {
      for (var i = 0; i < data.errors.length; i += 1) {
        var issue = data.errors[i];
        var message = issue.message || this.text('actionRefused');
        this.notify(issue.level === 'warning' ? 'warning' : 'danger',
          data.action === name ? message : notDone + ': ' + message);
      }
      return;
    }
    var status = Number(error.status);
    var text;
    if (status === 429) {
      // The platform's own limit: the request was never sent.
      text = notDone + ': ' + this.text('actionBusy');
    } else if (status >= 400 && status < 500 && status !== 408) {
      text = notDone + ': ' + this.text('actionRefused');
    } else if (WRITES[name]) {
      // No answer (a timeout, the network, a bare 5xx): the write may have arrived.
      text = this.text(name + '.maybe') + ': ' + this.text('actionLost');
    } else {
      text = notDone + ': ' + this.text('actionLostRead');
    }
    this.notify('danger', text);
  };

  // A notification never has an empty message: the platform would show a blank toast.
  Sidebar.prototype.notify = function (type, message) {
    var text = String(message || '').trim();
    if (!text) { text = this.text(type === 'success' ? 'done' : 'failed'); }
    return this.client.interface.trigger('showNotify', {
      type: type,
      title: clip(this.text('title'), TITLE_MAX),
      message: clip(text, MESSAGE_MAX)
    }).catch(function () { return null; });
  };

  function start() {
    return root.app.initialized().then(function (client) {
      var sidebar = new Sidebar(client, root.document);
      root.ufdSidebar = sidebar;
      client.events.on('app.activated', function () { sidebar.activate(); });
      client.events.on('app.deactivated', function () { sidebar.deactivate(); });
      if (root.UfdCrayons) {
        root.UfdCrayons.ready().then(function (ready) { if (ready) { sidebar.useCrayons(); } });
      }
      return sidebar;
    });
  }

  function whenReady() {
    // The platform's client script loads async: it is there by the window's load event.
    if (root.app && root.app.initialized) {
      start();
    } else {
      root.addEventListener('load', start, { once: true });
    }
  }

  root.UfdSidebar = Sidebar;
  if (root.document.readyState === 'loading') {
    root.document.addEventListener('DOMContentLoaded', whenReady, { once: true });
  } else {
    whenReady();
  }
})(window);
