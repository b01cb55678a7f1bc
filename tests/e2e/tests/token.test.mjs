// A daemon started with --token: the page asks for the token once, then everything (events included) works.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Api } from '../lib/api.mjs';
import { launch, screenshot } from '../lib/browser.mjs';
import { startDaemon } from '../lib/daemon.mjs';
import { assertNoProblems, text, waitFor, waitText } from '../lib/util.mjs';

const TOKEN = 'e2e-secret-token';
// The request that discovers the token is needed (and the one with the wrong token) answer 401, which the browser
// itself logs; nothing else may.
const ALLOW_401 = [/Failed to load resource.*401/];
let daemon;
let api;
let browser;

before(async () => {
  daemon = await startDaemon({ token: TOKEN });
  api = new Api(daemon.url, TOKEN);
  await api.createStudy({
    name: 'guarded',
    parameters: [{ name: 'x', type: 'float', low: 0, high: 1 }],
    objective: { name: 'y', goal: 'minimize' },
    strategy: { name: 'random' },
  });
  const { trials } = await api.suggest('guarded', 3);
  await api.complete('guarded', trials[0].number, { y: 0.75 });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await daemon?.stop();
});

test('the API refuses requests without the token', async () => {
  const res = await fetch(`${daemon.url}/api/v1/studies`);
  assert.equal(res.status, 401);
});

test('the page asks for the token once, keeps it for the tab, and sends it everywhere', async () => {
  const { page, problems } = browser;
  let forms = 0;
  await page.exposeFunction('__tokenFormShown', () => forms++);
  await page.addInitScript(() => {
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) if (n.querySelector?.('[data-testid=token-form]')) window.__tokenFormShown();
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`${daemon.url}/`);
  await page.waitForSelector('[data-testid=token-form]');
  await screenshot(page, 'token-form');

  // A wrong token is refused and the form comes back saying so.
  await page.fill('[data-testid=token-form] input', 'wrong');
  await page.click('[data-testid=token-form] button');
  await page.waitForSelector('[data-testid=token-form]');
  assert.match(await text(page, '[data-testid=token-form]'), /rejected/);

  await page.fill('[data-testid=token-form] input', TOKEN);
  await page.click('[data-testid=token-form] button');
  await page.waitForSelector('[data-testid=study-row][data-study=guarded]');
  assert.equal(await page.locator('[data-testid=token-form]').count(), 0);
  assert.equal(forms, 2, 'asked once, plus once more after the wrong token');

  // Study page, live events and a reload: no more questions.
  await page.click('[data-testid=study-row][data-study=guarded] a');
  await page.waitForSelector('[data-testid=load-status][data-done=true]');
  await waitText(page, '[data-testid=count-completed]', 1);
  await waitFor(async () => (await page.getAttribute('#live', 'data-status')) === 'live', { what: 'event stream live with token' });
  await api.complete('guarded', 1, { y: 0.5 });
  await waitText(page, '[data-testid=count-completed]', 2);
  await waitText(page, '[data-testid=best-value]', '0.5');
  await page.reload();
  await page.waitForSelector('[data-testid=load-status][data-done=true]');
  assert.equal(await page.locator('[data-testid=token-form]').count(), 0);
  assert.equal(forms, 2);
  await screenshot(page, 'token-study');
  assertNoProblems(problems, ALLOW_401);
  // First visit: the list and the event stream each get one 401; the wrong token: one each again.
  assert.ok(problems.console.length <= 4, `only the token-discovery 401s: ${problems.console}`);
});
