/* Installation page: postConfigs(), getConfigs() and validate() for the platform.
 * The keys are secure parameters; validate() checks every value live through the
 * `validate` request template, with the unsaved values passed as its context.
 */
/* exported postConfigs, getConfigs, validate */
var UFD_FIELDS = ['freshdesk_domain', 'freshdesk_api_key', 'upsales_api_key', 'service_host', 'service_secret'];
var UFD_SECURE = ['freshdesk_api_key', 'upsales_api_key', 'service_secret'];
var UFD_REQUIRED = ['freshdesk_domain', 'freshdesk_api_key', 'upsales_api_key', 'service_host'];
var UFD_DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.freshdesk\.com$/;
var UFD_HOST = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
var UFD_WORDS = {
  en: {
    required: 'This setting is required.',
    domain: 'Enter the domain as yourcompany.freshdesk.com.',
    host: 'Enter the host name only, without https:// or a path.',
    unreachable: 'The service could not be reached at this host.',
    secret: 'The service refused the secret.',
    ok: 'All settings work.',
    bad: 'Fix the settings marked above.'
  },
  sv: {
    required: 'Inställningen måste fyllas i.',
    domain: 'Ange domänen som ditt-foretag.freshdesk.com.',
    host: 'Ange bara värdnamnet, utan https:// eller sökväg.',
    unreachable: 'Tjänsten gick inte att nå på den här adressen.',
    secret: 'Tjänsten nekade hemligheten.',
    ok: 'Alla inställningar fungerar.',
    bad: 'Rätta de markerade inställningarna.'
  }
};
var ufdClient = null;
var ufdLang = String((typeof navigator !== 'undefined' && navigator.language) || 'en').slice(0, 2).toLowerCase() === 'sv' ? 'sv' : 'en';

function ufdWord(key) { return UFD_WORDS[ufdLang][key]; }

function ufdValue(name) {
  var input = document.getElementById(name);
  return input ? String(input.value || '').trim() : '';
}

function ufdMark(name, ok, message) {
  var input = document.getElementById(name);
  var msg = document.getElementById('msg-' + name);
  if (input) { input.setAttribute('aria-invalid', ok ? 'false' : 'true'); }
  if (msg) {
    msg.textContent = message || '';
    msg.className = 'ufd-msg ' + (ok ? 'ufd-ok' : 'ufd-bad');
  }
}

function ufdClientReady() {
  if (ufdClient) { return Promise.resolve(ufdClient); }
  return window.app.initialized().then(function (client) {
    ufdClient = client;
    return client;
  });
}

function postConfigs() {
  var configs = {};
  UFD_FIELDS.forEach(function (name) { configs[name] = ufdValue(name); });
  configs.freshdesk_domain = configs.freshdesk_domain.toLowerCase();
  configs.service_host = configs.service_host.toLowerCase();
  configs.__meta = { secure: UFD_SECURE.slice(), modules: { support_ticket: UFD_FIELDS.slice() } };
  return configs;
}

function getConfigs(configs) {
  UFD_FIELDS.forEach(function (name) {
    var input = document.getElementById(name);
    if (input && UFD_SECURE.indexOf(name) === -1 && configs && configs[name]) {
      input.value = configs[name];
    }
  });
}

function ufdLocalChecks(values) {
  var ok = true;
  UFD_FIELDS.forEach(function (name) { ufdMark(name, true, ''); });
  UFD_REQUIRED.forEach(function (name) {
    if (!values[name]) { ufdMark(name, false, ufdWord('required')); ok = false; }
  });
  if (values.freshdesk_domain && !UFD_DOMAIN.test(values.freshdesk_domain)) {
    ufdMark('freshdesk_domain', false, ufdWord('domain')); ok = false;
  }
  if (values.service_host && !UFD_HOST.test(values.service_host)) {
    ufdMark('service_host', false, ufdWord('host')); ok = false;
  }
  return ok;
}

function ufdSummary(ok) {
  var summary = document.getElementById('ufd-summary');
  if (summary) { summary.textContent = ufdWord(ok ? 'ok' : 'bad'); }
  return ok;
}

function validate() {
  var values = postConfigs();
  if (!ufdLocalChecks(values)) { return Promise.resolve(ufdSummary(false)); }
  var context = {};
  UFD_FIELDS.forEach(function (name) { context[name] = values[name]; });
  context.locale = ufdLang;
  return ufdClientReady().then(function (client) {
    return client.request.invokeTemplate('validate', { context: context, body: JSON.stringify({ locale: ufdLang }) });
  }).then(function (response) {
    var data = JSON.parse(response.response);
    if (response.status !== 200 || !data.results) { throw response; }
    Object.keys(data.results).forEach(function (name) {
      ufdMark(name, data.results[name].ok, data.results[name].message);
    });
    ufdMark('service_host', true, '');
    return ufdSummary(Boolean(data.ok));
  }).catch(function (error) {
    var status = error && Number(error.status);
    if (status === 401) {
      ufdMark('service_secret', false, ufdWord('secret'));
    } else {
      ufdMark('service_host', false, ufdWord('unreachable'));
    }
    return ufdSummary(false);
  });
}
