/* A stand-in for the Freshworks FDK client ({{{appclient}}}) in the demo host.
 *
 * It gives the app what the platform gives a ticket-sidebar app: app.initialized(),
 * the app.activated event, client.data.get, client.iparams.get,
 * client.request.invokeTemplate, client.interface.trigger('showNotify') and
 * client.instance.resize. invokeTemplate really reads config/requests.json and the
 * saved installation values and fills the placeholders by the platform's rules (which
 * sources each field may use, for this caller: /_fdk/rules.json, the same definition
 * the app validator applies), then hands the request to the host's relay, as the
 * platform's proxy would. A mistake in a template fails here as it would there.
 *
 * Like Freshdesk, the page keeps the app loaded when the agent opens another ticket:
 * the host posts {kind: 'switch', ticket, open}, and the stand-in fires app.deactivated
 * and moves to the new ticket.
 *
 * The lifecycle as the platform's (app lifecycle methods,
 * https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/front-end-apps/app-lifecycle-methods,
 * and Freshworks' lifecycle-events guidance): a ticket-sidebar app starts minimised;
 * app.activated fires when the agent opens it (the host posts {kind: 'activate'}), not
 * when the app subscribes; app.deactivated when the agent leaves the ticket. A host that
 * keeps the app open (?open=1, or open: true on a switch) activates it on each ticket.
 */
(function () {
  'use strict';

  var query = new URLSearchParams(window.location.search);
  var ticketId = Number(query.get('ticket') || 0);
  var onInstallPage = window.location.pathname.indexOf('/config/') === 0;
  var caller = onInstallPage ? 'install' : 'frontend';
  var PLACEHOLDER = /<%=\s*([^%]*?)\s*%>/g;
  var listeners = {};
  var cache = {};
  var active = query.get('open') === '1';

  function getJSON(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: 'same-origin' }).then(function (r) {
        if (!r.ok) { throw { status: r.status, message: 'Request failed' }; }
        return r.json();
      });
    }
    return cache[url];
  }

  function post(message) {
    window.parent.postMessage(Object.assign({ source: 'ufd-fdk' }, message), window.location.origin);
  }

  function validationError(message, path) {
    return { status: 400, message: 'runtime validation failed.', errorSource: 'PLATFORM',
      errors: [{ message: message, instancePath: path }] };
  }

  // Which sources each part of a template may use, for this caller (shared rules).
  function allowedSources(rules, field) {
    var part = field.split('.')[0];
    var byCaller = rules.placeholders[part] || {};
    return byCaller[caller] || [];
  }

  function resolve(expr, scope, field, secure) {
    var encoded = /^encode\((.+)\)$/.exec(expr);
    if (encoded) {
      var raw = resolve(encoded[1].trim(), scope, field, secure);
      return window.btoa(unescape(encodeURIComponent(raw)));
    }
    var parts = expr.split('.');
    if (parts.length !== 2 || (parts[0] !== 'iparam' && parts[0] !== 'context')) {
      throw validationError('Unknown placeholder ' + expr, '/' + field);
    }
    var kind = parts[0] === 'iparam' && secure.indexOf(parts[1]) !== -1 ? 'secure' : parts[0];
    var allowed = allowedSources(scope.rules, field);
    if (allowed.indexOf(kind) === -1) {
      throw validationError((kind === 'secure' ? 'Secure iparam ' : '') + expr +
        ' is not allowed in ' + field, '/' + field);
    }
    var value = scope[parts[0]][parts[1]];
    return value === undefined || value === null ? '' : String(value);
  }

  function fill(text, scope, field, secure) {
    return String(text).replace(PLACEHOLDER, function (_, expr) {
      return resolve(expr.trim(), scope, field, secure);
    });
  }

  function fillAll(object, scope, prefix, secure) {
    var out = {};
    Object.keys(object || {}).forEach(function (key) {
      out[key] = fill(object[key], scope, prefix + '.' + key, secure);
    });
    return out;
  }

  function invokeTemplate(name, options) {
    options = options || {};
    return Promise.all([getJSON('/_fdk/requests.json'), getJSON('/_demo/iparams'), getJSON('/_fdk/rules.json')]).then(function (loaded) {
      var template = loaded[0][name];
      if (!template || !template.schema) {
        throw validationError('Template ' + name + ' is not defined', '/name');
      }
      var schema = template.schema;
      var secure = loaded[1].secure;
      var scope = { iparam: loaded[1].iparams, context: options.context || {}, rules: loaded[2] };
      var spec = {
        method: fill(schema.method, {}, 'method', secure),
        protocol: schema.protocol || 'https',
        host: fill(schema.host, scope, 'host', secure),
        path: fill(schema.path || '/', scope, 'path', secure),
        query: fillAll(schema.query, scope, 'query', secure),
        headers: fillAll(schema.headers, scope, 'headers', secure),
        body: typeof options.body === 'string' ? options.body : ''
      };
      if (options.body !== undefined && typeof options.body !== 'string') {
        throw validationError('body must be a string', '/body');
      }
      return fetch('/_fdk/relay', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(spec)
      }).then(function (r) { return r.json(); });
    }).then(function (result) {
      if (result.errorSource === 'PLATFORM') { throw result; }
      var answer = { status: result.status, headers: result.headers || {}, response: result.response };
      if (result.status >= 400) {
        answer.errorSource = 'APP';
        throw answer;
      }
      return answer;
    });
  }

  function fire(event) {
    (listeners[event] || []).forEach(function (callback) { callback(); });
  }

  // The host page tells the app that the agent opened it, or another ticket.
  window.addEventListener('message', function (event) {
    var data = event.data || {};
    if (event.origin !== window.location.origin || data.source !== 'ufd-host') { return; }
    if (data.kind === 'activate' && !active) {
      active = true;
      fire('app.activated');
    }
    if (data.kind === 'switch') {
      fire('app.deactivated');
      ticketId = Number(data.ticket);
      active = Boolean(data.open);
      if (active) { fire('app.activated'); }
    }
  });

  var client = {
    events: {
      on: function (event, callback) {
        (listeners[event] = listeners[event] || []).push(callback);
        // Subscribed after the agent opened the app: it is told at once.
        if (event === 'app.activated' && active) { window.setTimeout(callback, 0); }
      }
    },
    data: {
      // On the settings page only the objects of every page answer (loggedInUser,
      // currentHost); a ticket page adds the ticket's. The language is read fresh: the
      // agent may have changed it since the page loaded.
      get: function (name) {
        var url = onInstallPage ? '/_demo/data/page' : '/_demo/data/' + ticketId;
        return fetch(url, { credentials: 'same-origin' }).then(function (r) {
          if (!r.ok) { throw { status: r.status, message: 'Request failed' }; }
          return r.json();
        }).then(function (data) {
          if (data[name] === undefined || data[name] === null) {
            throw { status: 404, message: 'No ' + name + ' on this page' };
          }
          var answer = {};
          answer[name] = JSON.parse(JSON.stringify(data[name]));
          return answer;
        });
      }
    },
    iparams: {
      get: function () {
        return getJSON('/_demo/iparams').then(function (saved) {
          var visible = {};
          Object.keys(saved.iparams).forEach(function (key) {
            if (saved.secure.indexOf(key) === -1) { visible[key] = saved.iparams[key]; }
          });
          return visible;
        });
      }
    },
    request: { invokeTemplate: invokeTemplate },
    interface: {
      trigger: function (action, payload) {
        if (action !== 'showNotify') { return Promise.reject({ message: 'Unsupported action ' + action }); }
        post({ kind: 'notify', payload: payload });
        return Promise.resolve({ success: true });
      }
    },
    instance: {
      resize: function (size) {
        post({ kind: 'resize', height: size && size.height });
        return Promise.resolve({ success: true });
      },
      context: function () {
        return Promise.resolve({ instanceId: 'demo', location: onInstallPage ? 'installation' : 'ticket_sidebar' });
      }
    }
  };

  window.app = { initialized: function () { return Promise.resolve(client); } };
})();
