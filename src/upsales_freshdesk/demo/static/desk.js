/* The demo page's own Freshdesk actions (a new ticket, the open ticket's status) and the
   "Upsales side": the requester's activities as Upsales holds them. The writes go through
   the Freshdesk emulator's API (host: demo/desk.py), so its automation rules call the
   backend's webhook; the page then waits for the webhooks and the backend's jobs
   (/_demo/timeline/drain) and reads the Upsales side again. */
(function () {
  'use strict';
  var page = window.ufdDemo;
  var STATUSES = { 2: 'Open', 3: 'Pending', 4: 'Resolved', 5: 'Closed' };
  var current = null;
  // Only the latest read of the Upsales side is shown (an earlier one may answer later).
  var reads = 0;
  // How many of each ticket's webhook calls the page has reported already.
  var reported = {};

  function byId(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function send(method, url, body) {
    return fetch(url, {
      method: method,
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) { return { status: r.status, body: b }; });
    });
  }

  // Freshdesk's refusal, in its own words: {description, errors: [{field, message}]}.
  function refusal(answer) {
    var errors = (answer.body && answer.body.errors) || [];
    var said = errors.map(function (e) { return (e.field ? e.field + ': ' : '') + e.message; }).join('; ');
    return 'Freshdesk answered ' + answer.status + (said ? ': ' + said : (answer.body && answer.body.message ? ': ' + answer.body.message : '.'));
  }

  // -- the Upsales side ------------------------------------------------------------------

  var side = byId('upsales-side');
  var log = byId('webhook-log');

  function showUpsales(id) {
    var mine = ++reads;
    side.setAttribute('aria-busy', 'true');
    return fetch('/_demo/upsales/tickets/' + id).then(function (r) { return r.json(); }).then(function (answer) {
      if (mine === reads) { renderUpsales(answer); }
    }).catch(function () {
      if (mine === reads) { renderUpsales({ error: 'The Upsales side could not be read.', activities: [] }); }
    }).then(function () {
      if (mine === reads) {
        side.dataset.ticket = id;
        side.setAttribute('aria-busy', 'false');
      }
    });
  }

  function renderUpsales(answer) {
    var who = byId('upsales-contact');
    var list = byId('upsales-activities');
    list.textContent = '';
    if (answer.error || !answer.contact) {
      who.textContent = answer.error || answer.reason || '';
      return;
    }
    who.textContent = answer.contact.name + (answer.contact.account ? ' · ' + answer.contact.account : '') +
      ': ' + (answer.activities.length ? 'latest activities' : 'no activities');
    answer.activities.forEach(function (a) {
      var li = el('li', a.this_ticket ? 'activity this-ticket' : 'activity');
      li.setAttribute('data-testid', 'upsales-activity');
      li.dataset.activity = a.id;
      li.dataset.thisTicket = a.this_ticket ? 'true' : 'false';
      var head = el('span', 'activity-head');
      head.appendChild(el('span', 'activity-type', a.type || 'Activity'));
      head.appendChild(el('span', 'muted', ' · ' + (a.date || '') + (a.closed ? ' · closed' : ' · open')));
      if (a.this_ticket) { head.appendChild(el('span', 'badge', 'this ticket')); }
      li.appendChild(head);
      li.appendChild(el('span', 'activity-description', a.description || ''));
      if (a.status) { li.appendChild(el('span', 'activity-status', a.status)); }
      if (a.kept_since) { li.appendChild(el('span', 'muted', 'Kept up to date from Freshdesk')); }
      list.appendChild(li);
    });
  }

  // Wait for the webhooks of the write just made and the backend's jobs, say what ran,
  // then read the Upsales side again.
  function settle(id) {
    log.textContent = 'Waiting for Freshdesk\u2019s webhooks and the backend\u2026';
    return send('POST', '/_demo/timeline/drain?ticket=' + id).then(function (answer) {
      var calls = (answer.body && answer.body.webhooks) || [];
      var fresh = calls.slice(reported[id] || 0);
      reported[id] = calls.length;
      var said = fresh.map(function (w) {
        return 'Freshdesk ran \u201c' + w.rule + '\u201d: its webhook was ' + w.state + (w.status ? ' (' + w.status + ')' : '') + '.';
      });
      if (!said.length) { said.push('No automation rule ran (nothing the rules listen for changed).'); }
      if (answer.body && !answer.body.settled) { said.push('The backend is still working on it.'); }
      else if (answer.body && answer.body.waiting_jobs) { said.push('The backend will try again later (an upstream did not answer).'); }
      log.textContent = said.join(' ');
    }).catch(function () {
      log.textContent = 'The page could not wait for the webhooks.';
    }).then(function () { return showUpsales(id); });
  }

  // -- the open ticket's status ----------------------------------------------------------

  var props = byId('ticket-properties');
  var statusPicker = byId('ticket-status');
  var saved = byId('ticket-saved');

  document.addEventListener('ufd-demo:ticket', function (event) {
    var t = event.detail;
    if (t.id !== current) {
      saved.textContent = '';
      log.textContent = '';
    }
    current = t.id;
    props.hidden = false;
    statusPicker.value = String(t.status);
    showUpsales(t.id);
  });

  props.addEventListener('submit', function (event) {
    event.preventDefault();
    var id = current;
    var status = Number(statusPicker.value);
    var button = props.querySelector('button[type=submit]');
    button.disabled = true;
    saved.textContent = 'Updating\u2026';
    send('PUT', '/_demo/freshdesk/tickets/' + id, { status: status }).then(function (answer) {
      if (answer.status !== 200) {
        saved.textContent = refusal(answer);
        return null;
      }
      saved.textContent = 'Saved in Freshdesk: ' + STATUSES[status] + '.';
      return settle(id);
    }).catch(function () {
      saved.textContent = 'Freshdesk did not answer.';
    }).then(function () { button.disabled = false; });
  });

  // -- a new ticket ----------------------------------------------------------------------

  var toggle = byId('new-ticket-toggle');
  var form = byId('new-ticket');
  var subject = byId('new-subject');
  var requester = byId('new-requester');
  var problem = byId('new-ticket-error');

  function openForm(open) {
    form.hidden = !open;
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    problem.hidden = true;
    if (open) { subject.focus(); } else { toggle.focus(); }
  }

  function say(text) {
    problem.textContent = text;
    problem.hidden = false;
  }

  toggle.addEventListener('click', function () { openForm(form.hidden); });
  byId('new-ticket-cancel').addEventListener('click', function () { openForm(false); });
  form.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') { openForm(false); }
  });

  fetch('/_demo/requesters').then(function (r) { return r.json(); }).then(function (people) {
    people.forEach(function (p) {
      var option = el('option', null, p.name + (p.company ? ' (' + p.company + ')' : ''));
      option.value = String(p.id);
      requester.appendChild(option);
    });
  }).catch(function () { say('The requesters could not be read.'); });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = subject.value.trim();
    if (!text) {
      say('Give the ticket a subject.');
      subject.focus();
      return;
    }
    var button = form.querySelector('button[type=submit]');
    button.disabled = true;
    // What Freshdesk's own "New ticket" form sends: its API's create call.
    var ticket = {
      subject: text,
      description: 'Created on the demo page.',
      requester_id: Number(requester.value),
      status: 2,
      priority: 1
    };
    send('POST', '/_demo/freshdesk/tickets', ticket).then(function (answer) {
      if (answer.status !== 201) {
        say(refusal(answer));
        return null;
      }
      subject.value = '';
      openForm(false);
      reported[answer.body.id] = 0;
      current = answer.body.id;  // what settle() says stays when the page opens it
      return page.loadTickets().then(function () {
        page.openTicket(answer.body.id);
        return settle(answer.body.id);
      });
    }).catch(function () {
      say('Freshdesk did not answer.');
    }).then(function () { button.disabled = false; });
  });
})();
