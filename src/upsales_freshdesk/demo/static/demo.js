/* The demo ticket page: ticket list, ticket view, the sidebar app, case switches, toasts. */
(function () {
  'use strict';
  var frame = document.getElementById('app-frame');
  var current = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function json(url, options) {
    return fetch(url, options).then(function (r) { return r.json(); });
  }

  function setState(change) {
    return json('/_demo/state', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(change) });
  }

  var loaded = false;
  var toggle = document.getElementById('app-toggle');
  // As on the platform, the app starts minimised on each ticket and is activated when the
  // agent opens it (the stand-in's comment has the sources); the demo's state may keep it
  // open instead.
  var minimised = true;
  var open = false;

  function setOpen(value) {
    open = value;
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    frame.hidden = !open;
  }

  // The app is loaded once; opening another ticket tells it, as Freshdesk does (it fires
  // app.deactivated, and app.activated when the agent opens the app), without reloading it.
  function loadSidebar() {
    if (current) {
      loaded = true;
      setOpen(!minimised || open);
      frame.src = '/app/index.html?ticket=' + current + (open ? '&open=1' : '') + '&t=' + Date.now();
    }
  }

  function showInSidebar() {
    if (!loaded || !frame.contentWindow) { loadSidebar(); return; }
    setOpen(!minimised);
    frame.contentWindow.postMessage({ source: 'ufd-host', kind: 'switch', ticket: current, open: open }, window.location.origin);
  }

  toggle.addEventListener('click', function () {
    setOpen(!open);
    if (open && frame.contentWindow) {
      frame.contentWindow.postMessage({ source: 'ufd-host', kind: 'activate' }, window.location.origin);
    }
  });

  function openTicket(id) {
    current = id;
    document.querySelectorAll('#ticket-list li').forEach(function (li) {
      li.classList.toggle('active', Number(li.dataset.ticket) === id);
      li.querySelector('button').setAttribute('aria-current', Number(li.dataset.ticket) === id ? 'true' : 'false');
    });
    json('/_demo/tickets/' + id).then(function (t) {
      if (current !== id) { return; }  // another ticket was opened meanwhile
      document.getElementById('ticket-subject').textContent = '#' + t.id + ' ' + t.subject;
      document.getElementById('ticket-meta').textContent = (t.requester.name || '') + ' <' + (t.requester.email || '') + '> · ' + t.created_at;
      var convo = document.getElementById('ticket-conversation');
      convo.textContent = '';
      convo.appendChild(el('p', 'message', t.description_text));
      t.conversations.forEach(function (c) { convo.appendChild(el('p', c.private ? 'message note' : 'message', c.body_text)); });
      // desk.js (the ticket's properties, the Upsales side) follows the open ticket.
      document.dispatchEvent(new CustomEvent('ufd-demo:ticket', { detail: t }));
    });
    showInSidebar();
  }

  function toast(payload) {
    var box = el('div', 'toast toast-' + (payload.type || 'info'));
    box.setAttribute('role', payload.type === 'danger' || payload.type === 'alert' ? 'alert' : 'status');
    box.setAttribute('data-testid', 'toast');
    box.appendChild(el('strong', null, payload.title));
    box.appendChild(el('span', null, payload.message));
    document.getElementById('toasts').appendChild(box);
    window.setTimeout(function () { box.remove(); }, 8000);
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== window.location.origin || !event.data || event.data.source !== 'ufd-fdk') { return; }
    if (event.data.kind === 'notify') { toast(event.data.payload || {}); }
    if (event.data.kind === 'resize') {
      var px = parseInt(event.data.height, 10);
      if (px > 0) { frame.style.height = Math.min(px, 700) + 'px'; }
    }
  });

  var stateLoaded = json('/_demo/state').then(function (state) {
    minimised = state.minimised !== false;
    setOpen(!minimised);
    document.getElementById('ctl-language').value = state.language;
    document.getElementById('ctl-upsales').value = state.modes.upsales;
    document.getElementById('ctl-freshdesk').value = state.modes.freshdesk;
  });
  [['ctl-language', 'language'], ['ctl-upsales', 'upsales'], ['ctl-freshdesk', 'freshdesk']].forEach(function (pair) {
    document.getElementById(pair[0]).addEventListener('change', function (e) {
      var change = {};
      change[pair[1]] = e.target.value;
      setState(change).then(loadSidebar);
    });
  });
  document.getElementById('ctl-reset').addEventListener('click', function () {
    setState({ reset: true, upsales: 'normal', freshdesk: 'normal' }).then(function () { window.location.reload(); });
  });

  function loadTickets() {
    return json('/_demo/tickets').then(function (rows) {
      renderTickets(rows);
      return rows;
    });
  }

  function renderTickets(rows) {
    var list = document.getElementById('ticket-list');
    list.textContent = '';
    rows.forEach(function (row) {
      var li = el('li');
      li.dataset.ticket = row.id;
      var button = el('button', 'ticket-link');
      button.type = 'button';
      button.setAttribute('data-testid', 'ticket-' + row.id);
      button.appendChild(el('span', 'subject', '#' + row.id + ' ' + row.subject));
      button.appendChild(el('span', 'muted', row.requester));
      if (row.scenario) { button.appendChild(el('span', 'badge', row.scenario.replace('_', ' '))); }
      button.addEventListener('click', function () { openTicket(row.id); });
      li.appendChild(button);
      list.appendChild(li);
      if (row.id === current) {
        li.classList.add('active');
        button.setAttribute('aria-current', 'true');
      }
    });
  }

  // What desk.js needs of the page: open a ticket, list the tickets again.
  window.ufdDemo = { openTicket: openTicket, loadTickets: loadTickets };

  stateLoaded.then(loadTickets).then(function (rows) {
    var wanted = Number(new URLSearchParams(window.location.search).get('ticket')) || (rows[0] && rows[0].id);
    if (wanted) { openTicket(wanted); }
  });
})();
