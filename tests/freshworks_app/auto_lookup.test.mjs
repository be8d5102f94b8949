// "Look up automatically": when the agent opens the app, without spending the platform's
// 50 requests a minute on the same ticket opened again and again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeClient, sidebar, ok } from './harness.mjs';

const CARD = { status: 'found', html: '<section class="ufd-card"><h2 class="ufd-name">Astrid</h2></section>', errors: [] };

async function autoSidebar({ on = true } = {}) {
  const fake = fakeClient({ invoke: () => ok(CARD) });
  fake.client.iparams = { get: async () => ({ auto_lookup: on ? 'true' : 'false' }) };
  const ui = await sidebar(fake);
  for (let i = 0; i < 20 && ui.sidebar.busy; i += 1) await new Promise((r) => setTimeout(r, 0));
  await new Promise((r) => setTimeout(r, 10));
  return { fake, ui };
}

const reopen = async (fake) => {
  fake.deactivate();
  await fake.activate();
  await new Promise((r) => setTimeout(r, 10));
};

test('on: opening the app looks the ticket up', async () => {
  const { fake, ui } = await autoSidebar();
  assert.equal(fake.calls.invoke.length, 1);
  assert.match(ui.result.innerHTML, /Astrid/);
});

test('off: opening the app sends nothing', async () => {
  const { fake } = await autoSidebar({ on: false });
  assert.equal(fake.calls.invoke.length, 0);
});

test('opening the app again on the same ticket shows its card without a request', async () => {
  const { fake, ui } = await autoSidebar();
  await reopen(fake);
  await reopen(fake);
  assert.equal(fake.calls.invoke.length, 1);
  assert.match(ui.result.innerHTML, /Astrid/);
});

test('after two minutes, or on another ticket, it looks up again', async () => {
  const { fake, ui } = await autoSidebar();
  let now = Date.now();
  ui.sidebar.now = () => now;
  fake.setData('ticket', { id: 2, subject: 'Another' });
  await reopen(fake);
  assert.equal(fake.calls.invoke.length, 2);
  fake.setData('ticket', { id: 1, subject: 'Kan inte logga in' });
  now += 2 * 60 * 1000 + 1;
  await reopen(fake);
  assert.equal(fake.calls.invoke.length, 3);
});

test('Sync always asks anew', async () => {
  const { fake, ui } = await autoSidebar();
  ui.button.click();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(fake.calls.invoke.length, 2);
});
