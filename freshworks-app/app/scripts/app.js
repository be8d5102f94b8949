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

  const { UfdActions, UfdCrayons, UfdI18n, UfdText } = root;
  const FRAME_HEIGHT = '520px';
  const TITLE_MAX = 30;
  const MESSAGE_MAX = 100;
  // "Look up automatically" looks up when the agent opens the app (app.activated: apps
  // start minimised in the ticket sidebar). Opening it again on the same ticket within
  // this time shows the card already fetched: the platform allows an app 50 requests a
  // minute for the whole account (Request method, limits), and a team that opens and
  // closes the app would spend them. Sync always asks anew.
  const AUTO_AGAIN_MS = 2 * 60 * 1000;
  const KEPT_CARDS = 20;

  function clip(text, max) {
    const value = String(text || '');
    return value.length > max ? `${value.slice(0, max - 1)}…` : value;
  }

  // An <fw-button> follows the attribute, a <button> the property: set both.
  function setDisabled(element, disabled) {
    element.disabled = disabled;
    if (disabled) { element.setAttribute('disabled', ''); } else { element.removeAttribute('disabled'); }
  }

  function parse(raw) {
    if (raw && typeof raw === 'object') { return raw; }
    try {
      return JSON.parse(raw);
    } catch {
      return null;
    }
  }

  class Sidebar {
    constructor(client, doc) {
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
      this.cardHtml = null;
      this.crayons = false;
      this.ticketId = null;
      // The last card of each recent ticket: ticket id -> {at, data}.
      this.recent = new Map();
      this.now = () => Date.now();
      this.onSync = () => {
        this.undoToken = null;
        this.lookup(this.chosen);
      };
      this.button.addEventListener('click', this.onSync);
      // The company section is read when the agent expands it, once per card ('toggle'
      // does not bubble: caught on the way down).
      this.result.addEventListener('toggle', (event) => {
        const section = event.target;
        if (section?.open && section.matches?.('details[data-lazy]') && !section.dataset.loaded) {
          section.dataset.loaded = 'true';
          this.act(section.getAttribute('data-lazy'), section);
        }
      }, true);
      this.result.addEventListener('click', (event) => {
        const action = event.target.closest?.('[data-action]');
        if (action) {
          this.act(action.getAttribute('data-action'), action);
          return;
        }
        const choice = event.target.closest?.('[data-upsales-contact-id].ufd-choose');
        if (choice) {
          // The agent's pick holds for this ticket: refreshes and actions keep it.
          this.chosen = Number(choice.getAttribute('data-upsales-contact-id'));
          this.lookup(this.chosen);
        }
      });
    }

    text(key) {
      return UfdText.get(this.lang, key);
    }

    // A new ticket (or none): forget everything of the last one.
    reset() {
      this.generation += 1;
      this.chosen = null;
      this.undoToken = null;
      this.result.innerHTML = '';
      this.result.removeAttribute('data-status');
      this.result.classList.remove('ufd-refreshing');
      this.cardHtml = null;
      this.setBusy(false);
    }

    useCrayons() {
      const upgraded = UfdCrayons.upgradeButton(this.button);
      if (upgraded !== this.button) {
        upgraded.addEventListener('click', this.onSync);
        this.button = upgraded;
      }
      this.crayons = true;
      UfdCrayons.enhance(this.result);
    }

    async activate() {
      this.reset();
      this.lang = UfdText.language(await UfdI18n.agentLanguage(this.client));
      this.doc.documentElement.setAttribute('lang', this.lang);
      this.button.textContent = this.text('sync');
      this.progress.textContent = this.text('working');
      setDisabled(this.button, false);
      return this.autoLookup();
    }

    // The optional "look up automatically" setting (off by default: a lookup costs calls).
    async autoLookup() {
      const generation = this.generation;
      if (!this.client.iparams?.get) { return false; }
      try {
        const iparams = await this.client.iparams.get();
        const on = iparams?.auto_lookup === true || iparams?.auto_lookup === 'true';
        if (!on || !this.current(generation)) { return false; }
        const { ticket } = await this.client.data.get('ticket');
        const kept = this.recent.get(ticket?.id);
        if (kept && this.now() - kept.at < AUTO_AGAIN_MS) {
          if (!this.current(generation)) { return false; }
          this.ticketId = ticket.id;
          this.show(kept.data, { again: true });
          return false;
        }
        return this.current(generation) ? await this.lookup(null) : false;
      } catch {
        return false;
      }
    }

    // Is this answer still for the ticket on screen?
    current(generation) {
      return generation === this.generation;
    }

    setBusy(busy) {
      this.busy = busy;
      setDisabled(this.button, busy);
      this.progress.hidden = !busy;
      this.main.setAttribute('aria-busy', busy ? 'true' : 'false');
    }

    // The clicked control shows that it is working (not the whole sidebar, silently).
    markBusy(element, busy) {
      if (!element?.setAttribute) { return; }
      element.setAttribute('aria-busy', busy ? 'true' : 'false');
      setDisabled(element, busy);
    }

    async resize() {
      try {
        await this.client.instance.resize({ height: FRAME_HEIGHT });
      } catch {
        // The frame keeps its size.
      }
    }

    async readTicket() {
      const data = this.client.data;
      const [ticket, requester, company] = await Promise.all([
        data.get('ticket'),
        data.get('requester'),
        data.get('company').catch(() => ({})),
      ]);
      return { ticket: ticket.ticket || {}, requester: requester.requester || {}, company: company?.company };
    }

    cardBody({ ticket, requester, company }, contactId) {
      const body = {
        ticket: { id: ticket.id, subject: ticket.subject || null },
        requester: {
          id: requester.id || null,
          email: requester.email,
          name: requester.name || null,
          phone: requester.phone || null,
          mobile: requester.mobile || null,
        },
        locale: this.lang,
      };
      if (company?.id) { body.company = { id: company.id, name: company.name || null }; }
      if (contactId) { body.upsales_contact_id = contactId; }
      return body;
    }

    async lookup(contactId) {
      if (this.busy) { return false; }
      const generation = this.generation;
      this.progress.textContent = this.text('working');
      this.setBusy(true);
      this.result.classList.add('ufd-refreshing');
      try {
        const read = await this.readTicket();
        const body = this.cardBody(read, contactId);
        if (!this.current(generation)) { return true; }
        this.ticketId = read.ticket.id ?? null;
        if (body.requester.email) {
          await this.fetchCard(body, generation);
        } else {
          this.notify('warning', this.text('noRequester'));
        }
      } catch {
        if (this.current(generation)) { this.notify('danger', this.text('failed')); }
      }
      if (!this.current(generation)) { return true; }
      this.setBusy(false);
      this.result.classList.remove('ufd-refreshing');
      await this.resize();
      return true;
    }

    async fetchCard(body, generation) {
      let response;
      try {
        response = await this.client.request.invokeTemplate('card', {
          context: { locale: this.lang },
          body: JSON.stringify(body),
        });
      } catch (error) {
        if (this.current(generation)) { this.handleFailure(error); }
        return;
      }
      if (this.current(generation)) { this.handle(response); }
    }

    async act(name, element) {
      if (name === 'cancel-form') {
        this.cancelForm();
        return true;
      }
      const action = UfdActions.actions.get(name);
      if (this.busy || !action) { return false; }
      const generation = this.generation;
      let refresh = false;
      // The action's own progress ("Logging the ticket to Upsales…"), not the lookup's.
      this.progress.textContent = this.text(`${action.texts}.working`);
      this.setBusy(true);
      this.markBusy(element, true);
      try {
        const card = element.closest('.ufd-card') || this.result;
        const body = await action.body({ sidebar: this, card, element, form: element.closest('form') });
        if (!this.current(generation)) { return true; }
        body.locale = this.lang;
        if (action.writes) { body.idempotency_key = UfdActions.newKey(); }
        const response = await action.send(this.client, { context: { locale: this.lang }, body: JSON.stringify(body) });
        if (!this.current(generation)) { return true; }
        refresh = this.answered(name, action, element, response);
      } catch (error) {
        if (!this.current(generation)) { return true; }
        if (error instanceof UfdActions.AskFirst) {
          this.notify('warning', error.message);
        } else {
          this.actionFailed(name, action, error);
        }
      }
      this.setBusy(false);
      this.markBusy(element, false);
      if (refresh) {
        await this.lookup(this.chosen);
      } else {
        await this.resize();
      }
      return true;
    }

    // What the service answered to an action; true when the card should be looked up again.
    answered(name, action, element, response) {
      const data = parse(response.response);
      if (response.status === 200 && data?.status === 'form') {
        // Kept for Cancel: with the clicked button back to normal first, else the card
        // comes back with its create button still busy and disabled.
        this.markBusy(element, false);
        if (!this.result.querySelector('form')) { this.cardHtml = this.result.innerHTML; }
        this.result.innerHTML = data.html;
        if (this.crayons) { UfdCrayons.enhance(this.result); }
        return false;
      }
      if (response.status === 200 && data?.status === 'part') {
        // A part of the card (search results, the company section), rendered escaped.
        const slot = (element.closest('details') || this.result).querySelector('[data-ufd-slot]');
        if (slot) {
          slot.innerHTML = data.html;
          if (this.crayons) { UfdCrayons.enhance(slot); }
        }
        return false;
      }
      if (response.status === 200 && data) {
        this.notify('success', data.message || this.text('done'));
        // "Update Freshdesk" can be undone: keep the signed token until the card changes.
        this.undoToken = (action.offersUndo && data.details?.undo) || null;
        return true;
      }
      this.actionFailed(name, action, { status: response.status, response: response.response });
      return false;
    }

    // Cancel on the create form: back to the card it came from, nothing sent.
    cancelForm() {
      if (this.busy) { return; }
      this.result.innerHTML = this.cardHtml || '';
      this.cardHtml = null;
      if (this.crayons) { UfdCrayons.enhance(this.result); }
    }

    handle(response) {
      const data = parse(response?.response);
      if (response?.status === 200 && typeof data?.html === 'string') {
        this.show(data);
        return;
      }
      this.handleFailure({ status: response?.status, response: response?.response });
    }

    show(data, { again = false } = {}) {
      // The backend renders the card with autoescape: CRM text arrives as text, never markup.
      this.result.innerHTML = data.html;
      this.result.setAttribute('data-status', data.status);
      if (this.undoToken) { this.offerUndo(); }
      if (this.crayons) { UfdCrayons.enhance(this.result); }
      if (again) { return; } // its problems were reported when it came
      this.keep(data);
      this.report(data.errors || []);
    }

    keep(data) {
      if (this.ticketId === null || this.ticketId === undefined) { return; }
      this.recent.delete(this.ticketId);
      this.recent.set(this.ticketId, { at: this.now(), data });
      while (this.recent.size > KEPT_CARDS) { this.recent.delete(this.recent.keys().next().value); }
    }

    offerUndo() {
      const bar = this.doc.createElement('p');
      bar.className = 'ufd-undo';
      const button = this.doc.createElement('button');
      button.type = 'button';
      button.className = 'ufd-action';
      button.setAttribute('data-action', 'undo-update');
      button.textContent = this.text('undo');
      bar.appendChild(button);
      this.result.insertBefore(bar, this.result.firstChild);
    }

    // Each error is a notification (notify() gives an empty message a text).
    report(errors, phrase = (message) => message) {
      for (const issue of errors) {
        this.notify(issue.level === 'warning' ? 'warning' : 'danger', phrase(issue.message));
      }
    }

    handleFailure(error = {}) {
      const data = parse(error?.response);
      if (data?.errors?.length) {
        this.report(data.errors);
        return;
      }
      const status = Number(error?.status);
      let key = 'unreachable';
      if (status === 429) {
        key = 'busyPlatform';
      } else if (status === 504 || /timeout/i.test(String(error?.message || ''))) {
        key = 'timeout';
      } else if (status >= 400 && status < 500) {
        key = 'failed';
      }
      this.notify('danger', this.text(key));
    }

    // A failed action says what it did not do, and whether trying again is safe. The
    // service phrases its own refusals for the action (the envelope names it); a refusal
    // given before the action ran (the service secret, a body too large) is in the card's
    // words, so it gets the action's opening here.
    actionFailed(name, action, error = {}) {
      const notDone = this.text(`${action.texts}.notDone`);
      const data = parse(error?.response);
      if (data?.errors?.length) {
        this.report(data.errors, (message) => {
          const text = message || this.text('actionRefused');
          return data.action === name ? text : `${notDone}: ${text}`;
        });
        return;
      }
      const status = Number(error?.status);
      let text;
      if (status === 429) {
        // The platform's own limit: the request was never sent.
        text = `${notDone}: ${this.text('actionBusy')}`;
      } else if (status >= 400 && status < 500 && status !== 408) {
        text = `${notDone}: ${this.text('actionRefused')}`;
      } else if (action.writes) {
        // No answer (a timeout, the network, a bare 5xx): the write may have arrived.
        text = `${this.text(`${action.texts}.maybe`)}: ${this.text('actionLost')}`;
      } else {
        text = `${notDone}: ${this.text('actionLostRead')}`;
      }
      this.notify('danger', text);
    }

    // A notification never has an empty message: the platform would show a blank toast.
    notify(type, message) {
      const text = String(message || '').trim() || this.text(type === 'success' ? 'done' : 'failed');
      return this.client.interface.trigger('showNotify', {
        type,
        title: clip(this.text('title'), TITLE_MAX),
        message: clip(text, MESSAGE_MAX),
      }).catch(() => null);
    }
  }

  async function start() {
    const client = await root.app.initialized();
    const sidebar = new Sidebar(client, root.document);
    root.ufdSidebar = sidebar;
    client.events.on('app.activated', () => sidebar.activate());
    client.events.on('app.deactivated', () => sidebar.reset());
    UfdCrayons.ready().then((ready) => { if (ready) { sidebar.useCrayons(); } });
    return sidebar;
  }

  function whenReady() {
    // The platform's client script loads async: it is there by the window's load event.
    if (root.app?.initialized) {
      start();
    } else {
      root.addEventListener('load', start, { once: true });
    }
  }

  if (root.document.readyState === 'loading') {
    root.document.addEventListener('DOMContentLoaded', whenReady, { once: true });
  } else {
    whenReady();
  }
})(window);
