// Loads the real app pages into jsdom with a fake FDK client.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM } from 'jsdom';

export const APP = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'freshworks-app');

export function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

// Values made in jsdom's realm have its prototypes: keep plain copies for assertions.
const plain = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

export function fakeClient({ language = 'en', invoke, data = {} } = {}) {
  const calls = { invoke: [], notify: [], resize: [] };
  const listeners = {};
  const defaults = {
    ticket: { id: 1, subject: 'Kan inte logga in' },
    requester: { id: 43026449000, email: 'astrid.lindqvist@nordvind.example', name: 'Astrid Lindqvist', phone: '+46 70 111 22 33' },
    company: { id: 901, name: 'Nordvind Data AB' },
    loggedInUser: { contact: { language } },
  };
  const client = {
    events: { on: (name, fn) => { listeners[name] = fn; } },
    data: {
      get: async (name) => {
        const value = name in data ? data[name] : defaults[name];
        if (value instanceof Error) throw value;
        return { [name]: value };
      },
    },
    request: {
      invokeTemplate: (name, options) => {
        calls.invoke.push({ name, options: plain(options), body: JSON.parse(options.body) });
        return invoke(name, options);
      },
    },
    interface: { trigger: async (action, payload) => { calls.notify.push({ action, ...plain(payload) }); } },
    instance: { resize: async (size) => { calls.resize.push(plain(size)); } },
  };
  return { client, calls, listeners, activate: () => listeners['app.activated'](),
    deactivate: () => listeners['app.deactivated'](), setData: (name, value) => { data[name] = value; } };
}

function load(page, scripts, client) {
  const html = readFileSync(join(APP, page), 'utf8').replace('{{{appclient}}}', 'about:blank');
  const dom = new JSDOM(html, { runScripts: 'outside-only', pretendToBeVisual: true });
  dom.window.app = { initialized: () => Promise.resolve(client) };
  for (const script of scripts) {
    dom.window.eval(readFileSync(join(APP, script), 'utf8'));
  }
  return dom;
}

export async function sidebar(fake) {
  const dom = load('app/index.html',
    ['app/scripts/text.js', 'app/scripts/crayons.js', 'app/scripts/payload.js', 'app/scripts/app.js'], fake.client);
  for (let i = 0; i < 50 && !dom.window.ufdSidebar; i += 1) {
    if (i === 0) dom.window.dispatchEvent(new dom.window.Event('load'));
    await new Promise((r) => setTimeout(r, 0));
  }
  await fake.activate();
  await new Promise((r) => setTimeout(r, 0));
  const doc = dom.window.document;
  return { dom, doc, button: doc.getElementById('ufd-sync'), result: doc.getElementById('ufd-result'),
    progress: doc.getElementById('ufd-progress'), sidebar: dom.window.ufdSidebar };
}

export function installPage(client, language = 'en') {
  const dom = load('config/iparams.html', [], client);
  Object.defineProperty(dom.window.navigator, 'language', { value: language, configurable: true });
  dom.window.eval(readFileSync(join(APP, 'config/assets/iparams.js'), 'utf8'));
  return dom;
}

export const ok = (body) => Promise.resolve({ status: 200, headers: {}, response: JSON.stringify(body) });
