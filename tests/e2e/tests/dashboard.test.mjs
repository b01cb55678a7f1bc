// The dashboard against the real daemon: list, study page, escaping, live updates, table controls.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Api, XSS, seedMixedStudy } from '../lib/api.mjs';
import { launch, screenshot } from '../lib/browser.mjs';
import { startDaemon } from '../lib/daemon.mjs';
import { assertNoProblems, canvasInk, openStudy, text, waitFor, waitText } from '../lib/util.mjs';

const STUDY = 'mixed.study-1';
let daemon;
let api;
let browser;
let seeded;

before(async () => {
  daemon = await startDaemon();
  api = new Api(daemon.url);
  seeded = await seedMixedStudy(api, STUDY);
  await api.createStudy({
    name: 'other-random',
    parameters: [{ name: 'x', type: 'float', low: 0, high: 1 }],
    objective: { name: 'y', goal: 'maximize' },
    strategy: { name: 'random' },
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await daemon?.stop();
});

test('the daemon serves the built dashboard', async () => {
  const index = await fetch(`${daemon.url}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /text\/html/);
  const html = await index.text();
  assert.doesNotMatch(html, /not built/, 'the binary embeds web/dist (run scripts/build-web.sh before building it)');
  const script = /<script[^>]+src="([^"]+\.js)"/.exec(html);
  assert.ok(script, 'index.html loads a module script');
  const js = await fetch(daemon.url + script[1]);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /javascript/);
  // Client-side routes fall back to the page itself.
  const deep = await fetch(`${daemon.url}/studies/x`);
  assert.equal(deep.status, 200);
  assert.equal(await deep.text(), html);
});

test('the study list shows counts by state, best value and strategy, and filters', async () => {
  const { page, problems } = browser;
  await page.goto(`${daemon.url}/`);
  const row = `[data-testid=study-row][data-study="${STUDY}"]`;
  await page.waitForSelector(row);
  for (const [col, n] of Object.entries(seeded.counts)) await waitText(page, `${row} [data-col=${col}]`, n);
  assert.equal(await text(page, `${row} [data-col=best]`), String(seeded.best));
  assert.equal(await page.locator('[data-testid=study-row]').count(), 2);

  await page.fill('[data-testid=study-filter]', 'mixed');
  await waitFor(async () => (await page.locator('[data-testid=study-row]').count()) === 1, { what: 'filtered list' });
  await page.fill('[data-testid=study-filter]', '');
  await page.selectOption('[data-testid=strategy-filter]', 'random');
  await waitFor(async () => (await page.locator('[data-testid=study-row]').count()) === 1, { what: 'strategy filter' });
  assert.equal(await text(page, '[data-testid=study-row] a'), 'other-random');
  await page.selectOption('[data-testid=strategy-filter]', '');
  await screenshot(page, 'study-list');
  assertNoProblems(problems);
});

test('the study page shows the summary, charts, feasibility, table and config', async () => {
  const { page, problems } = browser;
  await page.click(`[data-testid=study-row][data-study="${STUDY}"] a`);
  await page.waitForSelector('[data-testid=load-status][data-done=true]');
  assert.equal(await text(page, '[data-testid=study-name]'), STUDY);
  for (const [state, n] of Object.entries(seeded.counts)) await waitText(page, `[data-testid=count-${state}]`, n);
  assert.equal(await text(page, '[data-testid=best-value]'), String(seeded.best));
  assert.equal(await text(page, '[data-testid=table-total]'), String(seeded.counts.total));
  assert.equal(await page.locator('[data-testid=trial-row]').count(), seeded.counts.total);
  assert.equal(await text(page, '[data-testid=feasible-count]'), String(seeded.counts.completed - seeded.infeasible));
  assert.equal(await text(page, '[data-testid=infeasible-count]'), String(seeded.infeasible));
  // Sobol fits no model: the page says so instead of failing.
  assert.match(await text(page, '[data-testid=model-status]'), /no model yet/i);
  // Charts drew something.
  await waitFor(async () => (await canvasInk(page, '[data-testid=history-chart]')) > 1000, { what: 'history chart ink' });
  await waitFor(async () => (await canvasInk(page, '[data-testid=parallel-chart]')) > 1000, { what: 'parallel chart ink' });
  assert.equal(await page.locator('[data-testid=slices] canvas').count(), 3);
  assert.match(await text(page, '[data-testid=config-json]'), /"sobol"/);
  await screenshot(page, 'study-page');
  assertNoProblems(problems);
});

test('user-supplied strings render as literal text', async () => {
  const { page, problems } = browser;
  await openStudy(page, daemon.url, STUDY);
  // The categorical choice appears as text in the table and the config; no <img> was created from it.
  await page.selectOption('[data-testid=state-filter]', 'failed');
  await waitText(page, '[data-testid=table-total]', 2);
  const failed = page.locator('[data-testid=trial-row]', { hasText: 'diverged' });
  assert.equal(await failed.count(), 0, 'the reason is not a table column');
  await page.fill('[data-testid=trial-filter]', 'diverged');
  await waitText(page, '[data-testid=table-total]', 1);
  await page.locator('[data-testid=trial-row]').first().click();
  await page.waitForSelector('[data-testid=trial-detail]');
  assert.equal(await text(page, '[data-testid=fail-reason]'), `diverged ${XSS}`);
  assert.match(await text(page, '[data-testid=trial-detail]'), /worker-<b>1<\/b>/);
  assert.ok((await page.locator(`text=${XSS}`).count()) > 0, 'literal payload visible');
  assert.match(await text(page, '[data-testid=config-params]'), /<img src=x onerror=alert\(1\)>/);
  assert.equal(await page.locator('img').count(), 0, 'no <img> element injected');
  await screenshot(page, 'escaping');
  // Hover the parallel chart so a tooltip with the payload would render if it could.
  const box = await page.locator('[data-testid=parallel-chart]').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForTimeout(300);
  assert.equal(await page.locator('img').count(), 0);
  assertNoProblems(problems);
});

test('the diagnostics of a suggestion are visible on its trial', async () => {
  const { page, problems } = browser;
  await openStudy(page, daemon.url, STUDY);
  await page.locator('[data-testid=trial-row][data-number="0"]').click();
  await page.waitForSelector('[data-testid=trial-detail]');
  const trial = await api.call('GET', `/api/v1/studies/${STUDY}/trials/0`);
  const shown = await page.locator('[data-testid=trial-detail]').textContent();
  for (const key of Object.keys(trial.diagnostics ?? {})) assert.ok(shown.includes(key), `diagnostic ${key} shown`);
  await page.click('[data-testid=detail-close]');
  assert.equal(await page.locator('[data-testid=trial-detail]').count(), 0);
  assertNoProblems(problems);
});

test('the trial table sorts, filters and pages', async () => {
  const { page, problems } = browser;
  await openStudy(page, daemon.url, STUDY);
  await page.selectOption('[data-testid=state-filter]', 'completed');
  await waitText(page, '[data-testid=table-total]', seeded.counts.completed);
  await page.click('th[data-col=objective]'); // ascending loss
  const first = await page.locator('[data-testid=trial-row]').first().getAttribute('data-number');
  const rows = await api.call('GET', `/api/v1/studies/${STUDY}/trials?state=completed`);
  const minLoss = rows.trials.reduce((a, t) => (t.values.loss < a.values.loss ? t : a));
  assert.equal(Number(first), minLoss.number);
  await page.click('th[data-col=objective]'); // descending
  const top = await page.locator('[data-testid=trial-row]').first().getAttribute('data-number');
  const maxLoss = rows.trials.reduce((a, t) => (t.values.loss > a.values.loss ? t : a));
  assert.equal(Number(top), maxLoss.number);
  assertNoProblems(problems);
});

test('a completion made through the API appears live, without reload', async () => {
  const { page, problems } = browser;
  await openStudy(page, daemon.url, STUDY);
  await waitFor(async () => (await page.getAttribute('#live', 'data-status')) === 'live', { what: 'event stream live' });
  await page.evaluate(() => {
    window.__noReload = true;
  });
  const completedBefore = Number(await text(page, '[data-testid=count-completed]'));
  await api.complete(STUDY, seeded.pendingNumber, { loss: 0.5, latency: 1 });
  await waitText(page, '[data-testid=count-completed]', completedBefore + 1);
  await waitText(page, '[data-testid=count-pending]', 0);
  await waitText(page, '[data-testid=best-value]', '0.5');
  await waitFor(async () => (await page.getAttribute(`[data-testid=trial-row][data-number="${seeded.pendingNumber}"]`, 'class'))?.includes('state-completed'), {
    what: 'row turned completed',
  });
  // A brand-new trial (suggested now) shows up too.
  const { trials } = await api.suggest(STUDY, 1);
  await waitText(page, '[data-testid=count-total]', seeded.counts.total + 1);
  await waitText(page, '[data-testid=table-total]', seeded.counts.total + 1);
  assert.ok(await page.locator(`[data-testid=trial-row][data-number="${trials[0].number}"]`).count());
  assert.equal(await page.evaluate(() => window.__noReload), true, 'page was not reloaded');
  await screenshot(page, 'live-update');
  assertNoProblems(problems);
});
