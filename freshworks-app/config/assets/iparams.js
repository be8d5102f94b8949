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
 *
 * On "Edit settings" the platform may hand getConfigs() the secure values masked
 * ("Secure iparams are masked from the view of all app users once the values are saved,
 * ... when editing their values after installation":
 * https://developers.freshworks.com/docs/app-sdk/v3.0/contact/app-settings/app-installation-page/installation-page).
 * So a stored secure value is only ever sent back as it came (postConfigs), never to the
 * service as a key: validate() checks the keys the admin typed, and says of the others
 * that they are kept.
 */
/* exported postConfigs, getConfigs, validate */
// Every one of these settings is required.
const UFD_FIELDS = ['freshdesk_domain', 'freshdesk_api_key', 'upsales_api_key', 'service_host', 'service_secret'];
const UFD_SECURE = ['freshdesk_api_key', 'upsales_api_key', 'service_secret'];
const UFD_DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.freshdesk\.com$/;
const UFD_HOST = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const UFD_IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const UFD_IPV6 = /^\[?[0-9a-f]*:[0-9a-f:.]*\]?$/i;
// The language helpers are the sidebar's (assets/i18n.js, a copy of app/scripts/i18n.js); the words are the page's
// (assets/iparams_text.js).
const UFD_TEXT = UfdI18n.words(UFD_WORDS);
let ufdClient = null;
let ufdStored = {};
let ufdLang = UFD_TEXT.language(navigator.language);

function ufdWord(key) { return UFD_TEXT.get(ufdLang, key); }

const ufdIsSecure = (name) => UFD_SECURE.includes(name);

function ufdTranslate() {
  document.documentElement.setAttribute('lang', ufdLang);
  for (const node of document.querySelectorAll('[data-text]')) {
    const word = ufdWord(node.getAttribute('data-text'));
    if (word) { node.textContent = word; }
  }
  for (const name of UFD_FIELDS) {
    const input = document.getElementById(name);
    if (!input) { continue; }
    const placeholder = ufdWord(`placeholder_${name}`);
    if (placeholder) { input.setAttribute('placeholder', placeholder); }
    if (ufdIsSecure(name) && ufdStored[name]) { input.setAttribute('placeholder', ufdWord('unchanged')); }
    // Crayons' field shows its own label: keep it in the page's language too.
    const label = document.querySelector(`label[for="${name}"]`);
    if (input.tagName === 'FW-INPUT' && label) { input.setAttribute('label', label.textContent); }
  }
}

async function ufdClientReady() {
  ufdClient ??= await window.app.initialized();
  return ufdClient;
}

// The page loads the platform's client script with `async`, as Freshworks' installation
// page sample does (developers.freshworks.com, app-sdk v3.0, "Custom installation page"):
// it may run after this one. The window's load event waits for every async script (HTML
// Living Standard, "the end": the load event follows the scripts that delay it).
function ufdPageLoaded() {
  if (document.readyState === 'complete') { return Promise.resolve(); }
  return new Promise((resolve) => { window.addEventListener('load', resolve, { once: true }); });
}

// The agent's language as the platform gives it; the browser's only as the fallback.
async function ufdFollowAgent() {
  if (!window.app?.initialized) { await ufdPageLoaded(); }
  if (!window.app?.initialized) { return ufdLang; }
  try {
    const language = await UfdI18n.agentLanguage(await ufdClientReady());
    if (language) { ufdLang = UFD_TEXT.language(language); }
  } catch {
    // The browser's language stays.
  }
  ufdTranslate();
  return ufdLang;
}

function ufdTyped(name) {
  const input = document.getElementById(name);
  return input ? String(input.value || '').trim() : '';
}

// A secure field keeps its stored value unless the admin types a new one.
function ufdValue(name) {
  const typed = ufdTyped(name);
  if (typed || !ufdIsSecure(name)) { return typed; }
  return ufdStored[name] ? String(ufdStored[name]) : '';
}

function ufdMark(name, ok, message) {
  const input = document.getElementById(name);
  const msg = document.getElementById(`msg-${name}`);
  if (input) {
    input.setAttribute('aria-invalid', ok ? 'false' : 'true');
    if (input.tagName === 'FW-INPUT') { input.setAttribute('state', ok ? 'normal' : 'error'); }
  }
  if (msg) {
    msg.textContent = message || '';
    msg.className = `ufd-msg ${ok ? 'ufd-ok' : 'ufd-bad'}`;
  }
}

function postConfigs() {
  const configs = Object.fromEntries(UFD_FIELDS.map((name) => [name, ufdValue(name)]));
  configs.freshdesk_domain = configs.freshdesk_domain.toLowerCase();
  configs.service_host = configs.service_host.toLowerCase();
  configs.auto_lookup = Boolean(document.getElementById('auto_lookup')?.checked);
  configs.__meta = { secure: UFD_SECURE.slice(), modules: { support_ticket: [...UFD_FIELDS, 'auto_lookup'] } };
  return configs;
}

function getConfigs(configs) {
  ufdStored = {};
  for (const name of UFD_FIELDS) {
    const value = configs?.[name];
    if (value) { ufdStored[name] = String(value); }
    const input = document.getElementById(name);
    if (!input) { continue; }
    if (ufdIsSecure(name)) {
      input.value = ''; // a stored secret is never shown again
    } else if (value) {
      input.value = value;
    }
  }
  const auto = document.getElementById('auto_lookup');
  if (auto) { auto.checked = configs?.auto_lookup === true || configs?.auto_lookup === 'true'; }
  ufdTranslate();
}

// The checks made here; they return which settings failed. The live check needs the
// service host (the platform sends nothing to an IP address or a malformed host).
function ufdLocalChecks(values) {
  const failed = new Set();
  const refuse = (name, key) => {
    ufdMark(name, false, ufdWord(key));
    failed.add(name);
  };
  for (const name of UFD_FIELDS) {
    ufdMark(name, true, '');
    if (!values[name]) { refuse(name, 'required'); }
  }
  if (values.freshdesk_domain && !UFD_DOMAIN.test(values.freshdesk_domain)) { refuse('freshdesk_domain', 'domain'); }
  const host = values.service_host;
  if (host && (UFD_IPV4.test(host) || UFD_IPV6.test(host))) {
    refuse('service_host', 'hostIp');
  } else if (host && !UFD_HOST.test(host)) {
    refuse('service_host', 'host');
  }
  return failed;
}

// What could not be checked live says why, next to each setting: a setting without its
// own mark is never left blank while another one is wrong.
function ufdNotChecked(failed, key) {
  for (const name of ['freshdesk_api_key', 'upsales_api_key', 'service_secret']) {
    if (!failed.has(name)) { ufdMark(name, false, ufdWord(key)); }
  }
}

function ufdSummary(ok) {
  const summary = document.getElementById('ufd-summary');
  if (summary) { summary.textContent = ufdWord(ok ? 'ok' : 'bad'); }
  return ok;
}

// The service says whether it requires a secret. One that does not is an open relay:
// the app is not installed against it (the secret the admin typed would guard nothing).
function ufdSecretFits(secret) {
  const open = secret?.required === false;
  ufdMark('service_secret', !open, open ? ufdWord('secretUnused') : '');
  return !open;
}

// A secure value the admin typed on this page; a stored one (perhaps a mask) is not one.
const ufdTypedSecure = (name) => ufdIsSecure(name) && Boolean(ufdTyped(name));

async function validate() {
  const values = postConfigs();
  const failed = ufdLocalChecks(values);
  if (failed.has('service_host')) {
    ufdNotChecked(failed, 'notCheckedHost');
    return ufdSummary(false);
  }
  if (failed.has('freshdesk_domain')) {
    ufdNotChecked(failed, 'notCheckedDomain');
    return ufdSummary(false);
  }
  if (failed.size) { return ufdSummary(false); }
  const kept = UFD_SECURE.filter((name) => !ufdTypedSecure(name));
  if (kept.includes('service_secret')) {
    // Without the secret typed anew the service cannot be asked: a saved one is not sent.
    const typed = UFD_SECURE.filter((name) => ufdTypedSecure(name));
    for (const name of kept) { ufdMark(name, true, ufdWord('kept')); }
    for (const name of typed) { ufdMark(name, false, ufdWord('needSecret')); }
    return typed.length ? ufdSummary(false) : ufdKeptSummary();
  }
  const context = Object.fromEntries(UFD_FIELDS.map((name) => [name, kept.includes(name) ? '' : values[name]]));
  context.locale = ufdLang;
  try {
    const client = await ufdClientReady();
    const response = await client.request.invokeTemplate('validate', { context, body: JSON.stringify({ locale: ufdLang }) });
    const data = JSON.parse(response.response);
    if (response.status !== 200 || !data.results) { throw response; }
    let ok = true;
    for (const [name, result] of Object.entries(data.results)) {
      if (kept.includes(name)) {
        ufdMark(name, true, ufdWord('kept'));
      } else {
        ufdMark(name, result.ok, result.message);
        ok &&= Boolean(result.ok);
      }
    }
    ufdMark('service_host', true, '');
    return ufdSummary(ufdSecretFits(data.secret) && ok);
  } catch (error) {
    if (Number(error?.status) === 401) {
      // The service refused the secret (an empty one never gets this far: it is required).
      ufdMark('service_secret', false, ufdWord('secret'));
    } else {
      ufdMark('service_host', false, ufdWord('unreachable'));
    }
    return ufdSummary(false);
  }
}

function ufdKeptSummary() {
  const summary = document.getElementById('ufd-summary');
  if (summary) { summary.textContent = ufdWord('okKept'); }
  return true;
}

// Crayons, when it loads: each text field becomes an <fw-input> with the same id and
// name (its value reads the same). Without Crayons the plain inputs stay.
function ufdUseCrayons() {
  if (!window.customElements?.get('fw-input')) { return false; }
  for (const name of UFD_FIELDS) {
    const input = document.getElementById(name);
    if (input?.tagName !== 'INPUT') { continue; }
    const label = document.querySelector(`label[for="${name}"]`);
    const fw = document.createElement('fw-input');
    for (const attr of ['id', 'name', 'type', 'placeholder', 'autocomplete', 'aria-describedby']) {
      if (input.hasAttribute(attr)) { fw.setAttribute(attr, input.getAttribute(attr)); }
    }
    if (input.required) { fw.setAttribute('required', ''); }
    if (label) {
      fw.setAttribute('label', label.textContent);
      label.hidden = true;
    }
    fw.value = input.value;
    input.replaceWith(fw);
  }
  return true;
}

ufdTranslate();
ufdFollowAgent();
window.customElements?.whenDefined?.('fw-input').then(ufdUseCrayons);
