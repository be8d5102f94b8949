/* Installation page: postConfigs(), getConfigs() and validate() for the platform.
 *
 * The keys are secure parameters (__meta.secure). The platform does not merge: what
 * postConfigs() returns replaces every stored value. So on "Edit settings" the page keeps
 * what getConfigs() received, shows each stored secure field as "unchanged", and sends
 * the stored value back unless the admin types a new one. validate() checks every value
 * live through the `validate` request template, with the values passed as its context.
 * The service secret is required: the service must demand authentication (Freshworks'
 * review guidelines for an app that calls an external service), so a service that
 * accepts calls without one is refused here too.
 */
/* exported postConfigs, getConfigs, validate */
var UFD_FIELDS = ['freshdesk_domain', 'freshdesk_api_key', 'upsales_api_key', 'service_host', 'service_secret'];
var UFD_SECURE = ['freshdesk_api_key', 'upsales_api_key', 'service_secret'];
var UFD_REQUIRED = ['freshdesk_domain', 'freshdesk_api_key', 'upsales_api_key', 'service_host', 'service_secret'];
var UFD_DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.freshdesk\.com$/;
var UFD_HOST = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
var UFD_IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
var UFD_IPV6 = /^\[?[0-9a-f]*:[0-9a-f:.]*\]?$/i;
var UFD_WORDS = {
  en: {
    title: 'Upsales for Freshdesk: settings',
    heading: 'Upsales for Freshdesk',
    intro: 'The API keys are stored as secure settings: they are sent only in request headers to the service and are never shown again.',
    freshdesk_domain: 'Freshdesk domain',
    freshdesk_api_key: 'Freshdesk API key',
    upsales_api_key: 'Upsales API key',
    service_host: 'Service host',
    service_secret: 'Service secret',
    help_freshdesk_domain: 'The address of your helpdesk, as yourcompany.freshdesk.com.',
    help_freshdesk_api_key: 'In Freshdesk: your profile picture › Profile settings › View API key.',
    help_upsales_api_key: 'In Upsales: Settings › API keys (an admin creates one; it is shown once).',
    help_service_host: 'The host name of your upsales-freshdesk service (HTTPS), without https:// or a path.',
    help_service_secret: 'The UFD_SERVICE_SECRET your service operator set (32 characters or more).',
    auto_lookup: 'Look up automatically when a ticket opens',
    help_auto_lookup: 'Off: agents click "Sync contact from Upsales". On: each ticket view costs one Freshdesk call and up to four Upsales calls.',
    unchanged: 'Unchanged (type to replace)',
    required: 'This setting is required.',
    domain: 'Enter the domain as yourcompany.freshdesk.com.',
    host: 'Enter the host name only, without https:// or a path.',
    hostIp: 'The service host must be a host name, not an IP address (a platform rule).',
    unreachable: 'The service could not be reached at this host.',
    secret: 'The service refused the secret.',
    secretUnused: 'This service accepts calls without a secret: its operator must set UFD_SERVICE_SECRET.',
    placeholder_freshdesk_domain: 'yourcompany.freshdesk.com',
    ok: 'All settings work.',
    bad: 'Fix the settings marked above.'
  },
  sv: {
    title: 'Upsales för Freshdesk: inställningar',
    heading: 'Upsales för Freshdesk',
    intro: 'API-nycklarna sparas som säkra inställningar: de skickas bara i begärans rubriker till tjänsten och visas aldrig igen.',
    freshdesk_domain: 'Freshdesk-domän',
    freshdesk_api_key: 'API-nyckel för Freshdesk',
    upsales_api_key: 'API-nyckel för Upsales',
    service_host: 'Tjänstens värdnamn',
    service_secret: 'Tjänstens hemlighet',
    help_freshdesk_domain: 'Adressen till er helpdesk, som ditt-foretag.freshdesk.com.',
    help_freshdesk_api_key: 'I Freshdesk: din profilbild › Profilinställningar › Visa API-nyckel.',
    help_upsales_api_key: 'I Upsales: Inställningar › API-nycklar (en administratör skapar en; den visas bara en gång).',
    help_service_host: 'Värdnamnet för er upsales-freshdesk-tjänst (HTTPS), utan https:// eller sökväg.',
    help_service_secret: 'Den UFD_SERVICE_SECRET som tjänstens drift har satt (minst 32 tecken).',
    auto_lookup: 'Sök automatiskt när ett ärende öppnas',
    help_auto_lookup: 'Av: agenterna klickar på ”Synka kontakt från Upsales”. På: varje ärendevisning kostar ett anrop till Freshdesk och upp till fyra till Upsales.',
    unchanged: 'Oförändrad (skriv för att byta)',
    required: 'Inställningen måste fyllas i.',
    domain: 'Ange domänen som ditt-foretag.freshdesk.com.',
    host: 'Ange bara värdnamnet, utan https:// eller sökväg.',
    hostIp: 'Tjänstens värdnamn får inte vara en IP-adress (en plattformsregel).',
    unreachable: 'Tjänsten gick inte att nå på den här adressen.',
    secret: 'Tjänsten nekade hemligheten.',
    secretUnused: 'Tjänsten tar emot anrop utan hemlighet: dess drift måste sätta UFD_SERVICE_SECRET.',
    placeholder_freshdesk_domain: 'ditt-foretag.freshdesk.com',
    ok: 'Alla inställningar fungerar.',
    bad: 'Rätta de markerade inställningarna.'
  }
};
var ufdClient = null;
var ufdStored = {};
var ufdLang = ufdLanguage(typeof navigator !== 'undefined' && navigator.language);

function ufdLanguage(raw) {
  var code = String(raw || '').replace('_', '-').split('-')[0].toLowerCase();
  return Object.prototype.hasOwnProperty.call(UFD_WORDS, code) ? code : 'en';
}

function ufdWord(key) { return UFD_WORDS[ufdLang][key]; }

function ufdTranslate() {
  document.documentElement.setAttribute('lang', ufdLang);
  Array.prototype.forEach.call(document.querySelectorAll('[data-text]'), function (node) {
    var word = ufdWord(node.getAttribute('data-text'));
    if (word) { node.textContent = word; }
  });
  UFD_FIELDS.forEach(function (name) {
    var input = document.getElementById(name);
    if (!input) { return; }
    var placeholder = ufdWord('placeholder_' + name);
    if (placeholder) { input.setAttribute('placeholder', placeholder); }
    if (UFD_SECURE.indexOf(name) !== -1 && ufdStored[name]) { input.setAttribute('placeholder', ufdWord('unchanged')); }
    // Crayons' field shows its own label: keep it in the page's language too.
    var label = document.querySelector('label[for="' + name + '"]');
    if (input.tagName === 'FW-INPUT' && label) { input.setAttribute('label', label.textContent); }
  });
}

function ufdClientReady() {
  if (ufdClient) { return Promise.resolve(ufdClient); }
  return window.app.initialized().then(function (client) {
    ufdClient = client;
    return client;
  });
}

// The agent's language as the platform gives it; the browser's only as the fallback.
function ufdFollowAgent() {
  if (!window.app || !window.app.initialized) { return Promise.resolve(ufdLang); }
  return ufdClientReady().then(function (client) {
    return client.data && client.data.get ? client.data.get('loggedInUser') : null;
  }).then(function (data) {
    var user = (data && data.loggedInUser) || {};
    var language = (user.contact && user.contact.language) || user.language;
    if (language) { ufdLang = ufdLanguage(language); }
  }).catch(function () { return null; }).then(function () {
    ufdTranslate();
    return ufdLang;
  });
}

function ufdTyped(name) {
  var input = document.getElementById(name);
  return input ? String(input.value || '').trim() : '';
}

// A secure field keeps its stored value unless the admin types a new one.
function ufdValue(name) {
  var typed = ufdTyped(name);
  if (typed || UFD_SECURE.indexOf(name) === -1) { return typed; }
  return ufdStored[name] ? String(ufdStored[name]) : '';
}

function ufdMark(name, ok, message) {
  var input = document.getElementById(name);
  var msg = document.getElementById('msg-' + name);
  if (input) {
    input.setAttribute('aria-invalid', ok ? 'false' : 'true');
    if (input.tagName === 'FW-INPUT') { input.setAttribute('state', ok ? 'normal' : 'error'); }
  }
  if (msg) {
    msg.textContent = message || '';
    msg.className = 'ufd-msg ' + (ok ? 'ufd-ok' : 'ufd-bad');
  }
}

function postConfigs() {
  var configs = {};
  UFD_FIELDS.forEach(function (name) { configs[name] = ufdValue(name); });
  configs.freshdesk_domain = configs.freshdesk_domain.toLowerCase();
  configs.service_host = configs.service_host.toLowerCase();
  var auto = document.getElementById('auto_lookup');
  configs.auto_lookup = Boolean(auto && auto.checked);
  configs.__meta = { secure: UFD_SECURE.slice(), modules: { support_ticket: UFD_FIELDS.concat(['auto_lookup']) } };
  return configs;
}

function getConfigs(configs) {
  ufdStored = {};
  UFD_FIELDS.forEach(function (name) {
    var value = configs && configs[name];
    if (value) { ufdStored[name] = String(value); }
    var input = document.getElementById(name);
    if (!input) { return; }
    if (UFD_SECURE.indexOf(name) === -1) {
      if (value) { input.value = value; }
    } else {
      input.value = ''; // a stored secret is never shown again
    }
  });
  var auto = document.getElementById('auto_lookup');
  if (auto) { auto.checked = Boolean(configs && (configs.auto_lookup === true || configs.auto_lookup === 'true')); }
  ufdTranslate();
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
  var host = values.service_host;
  if (host && (UFD_IPV4.test(host) || UFD_IPV6.test(host))) {
    ufdMark('service_host', false, ufdWord('hostIp')); ok = false;
  } else if (host && !UFD_HOST.test(host)) {
    ufdMark('service_host', false, ufdWord('host')); ok = false;
  }
  return ok;
}

function ufdSummary(ok) {
  var summary = document.getElementById('ufd-summary');
  if (summary) { summary.textContent = ufdWord(ok ? 'ok' : 'bad'); }
  return ok;
}

// The service says whether it requires a secret. One that does not is an open relay:
// the app is not installed against it (the secret the admin typed would guard nothing).
function ufdSecretFits(secret) {
  var open = Boolean(secret && secret.required === false);
  ufdMark('service_secret', !open, open ? ufdWord('secretUnused') : '');
  return !open;
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
    return ufdSummary(ufdSecretFits(data.secret) && Boolean(data.ok));
  }).catch(function (error) {
    var status = error && Number(error.status);
    if (status === 401) {
      // The service refused the secret (an empty one never gets this far: it is required).
      ufdMark('service_secret', false, ufdWord('secret'));
    } else {
      ufdMark('service_host', false, ufdWord('unreachable'));
    }
    return ufdSummary(false);
  });
}

// Crayons, when it loads: each text field becomes an <fw-input> with the same id and
// name (its value reads the same). Without Crayons the plain inputs stay.
function ufdUseCrayons() {
  if (!window.customElements || !window.customElements.get('fw-input')) { return false; }
  UFD_FIELDS.forEach(function (name) {
    var input = document.getElementById(name);
    if (!input || input.tagName !== 'INPUT') { return; }
    var label = document.querySelector('label[for="' + name + '"]');
    var fw = document.createElement('fw-input');
    ['id', 'name', 'type', 'placeholder', 'autocomplete', 'aria-describedby'].forEach(function (attr) {
      if (input.hasAttribute(attr)) { fw.setAttribute(attr, input.getAttribute(attr)); }
    });
    if (input.required) { fw.setAttribute('required', ''); }
    if (label) {
      fw.setAttribute('label', label.textContent);
      label.hidden = true;
    }
    fw.value = input.value;
    input.parentNode.replaceChild(fw, input);
  });
  return true;
}

if (typeof document !== 'undefined') {
  ufdTranslate();
  ufdFollowAgent();
  if (window.customElements && window.customElements.whenDefined) {
    window.customElements.whenDefined('fw-input').then(ufdUseCrayons);
  }
}
