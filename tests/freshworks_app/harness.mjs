// Loads the real app pages into jsdom with a fake FDK client.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM, VirtualConsole } from 'jsdom';

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

// The page's own scripts, in its order: the local <script src> it names.
const LOCAL_SCRIPT = /<script\b[^>]*\bsrc="(?!https?:|\{)([^"]+)"/g;

// Runs the page's scripts as the browser does (classic scripts in one global scope),
// after setting what the platform gives: the FDK client and the browser's language.
function load(page, client, language) {
  const path = join(APP, page);
  const source = readFileSync(path, 'utf8');
  const html = source.replace('{{{appclient}}}', 'about:blank');
  const errors = [];
  const virtualConsole = new VirtualConsole().sendTo(console, { omitJSDOMErrors: true });
  virtualConsole.on('jsdomError', (error) => { errors.push(error); console.error(error); });
  const dom = new JSDOM(html, { runScripts: 'dangerously', pretendToBeVisual: true, virtualConsole });
  dom.window.app = { initialized: () => Promise.resolve(client) };
  if (language) Object.defineProperty(dom.window.navigator, 'language', { value: language, configurable: true });
  const doc = dom.window.document;
  for (const [, src] of source.matchAll(LOCAL_SCRIPT)) {
    const script = doc.createElement('script');
    script.textContent = readFileSync(join(dirname(path), src), 'utf8');
    doc.head.appendChild(script);
  }
  if (errors.length) throw errors[0];
  return dom;
}

export async function sidebar(fake) {
  const dom = load('app/index.html', fake.client);
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
  return load('config/iparams.html', client, language);
}

export const ok = (body) => Promise.resolve({ status: 200, headers: {}, response: JSON.stringify(body) });
