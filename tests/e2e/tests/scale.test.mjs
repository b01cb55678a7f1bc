// A study with 20,000 trials loads in bounded time and the page stays responsive.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Api } from '../lib/api.mjs';
import { launch, screenshot } from '../lib/browser.mjs';
import { startDaemon } from '../lib/daemon.mjs';
import { assertNoProblems, openStudy, text, waitFor, waitText } from '../lib/util.mjs';

const N = Number(process.env.E2E_SCALE_TRIALS ?? 20000);
const LOAD_BUDGET_MS = Number(process.env.E2E_SCALE_BUDGET_MS ?? 60000);
const STUDY = 'big';
let daemon;
let api;
let browser;

// Deterministic pseudo-random numbers (mulberry32).
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

before(async () => {
  daemon = await startDaemon();
  api = new Api(daemon.url);
  await api.createStudy({
    name: STUDY,
    parameters: [
      { name: 'x1', type: 'float', low: -5, high: 10 },
      { name: 'x2', type: 'float', low: 0, high: 15 },
      { name: 'n', type: 'int', low: 1, high: 100 },
      { name: 'mode', type: 'categorical', choices: ['a', 'b', 'c'] },
    ],
    objective: { name: 'f', goal: 'minimize' },
    constraints: [{ name: 'g', op: '<=', bound: 0.8 }],
    strategy: { name: 'sobol' },
  });
  const rand = rng(42);
  const points = Array.from({ length: N }, () => {
    const x1 = -5 + 15 * rand();
    const x2 = 15 * rand();
    const params = { x1, x2, n: 1 + Math.floor(100 * rand()), mode: ['a', 'b', 'c'][Math.floor(3 * rand())] };
    const f = (x2 - (5.1 / (4 * Math.PI ** 2)) * x1 ** 2 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
    return { params, values: { f, g: rand() } };
  });
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < points.length) {
      const p = points[next++];
      await api.addTrial(STUDY, p.params, p.values);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  console.log(`# created ${N} trials in ${Date.now() - t0} ms`);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await daemon?.stop();
});

let pageDiagnosis = '';

test('the daemon serves a page of 1000 trials (timed with the encodings a browser accepts)', async () => {
  // Browsers send this header and fetch() cannot change it. A server that compresses with Brotli at its default
  // quality (11) spends seconds per page and per bundle; that, not the dashboard, is then what is slow.
  const timed = async (encoding) => {
    const t0 = Date.now();
    const res = await fetch(`${daemon.url}/api/v1/studies/${STUDY}/trials?offset=0&limit=1000`, { headers: { 'Accept-Encoding': encoding } });
    const body = await res.json();
    assert.equal(body.trials.length, 1000);
    return `${Date.now() - t0} ms (Content-Encoding: ${res.headers.get('content-encoding') ?? 'none'})`;
  };
  pageDiagnosis = `one page of 1000 trials: ${await timed('gzip, deflate, br, zstd')} as a browser asks, ${await timed('gzip')} gzip only`;
  console.log(`# ${pageDiagnosis}`);
});

test(`a ${N}-trial study loads within budget and stays responsive`, async () => {
  const { page, problems } = browser;
  const t0 = Date.now();
  await openStudy(page, daemon.url, STUDY, LOAD_BUDGET_MS).catch((e) => {
    throw new Error(`not loaded within ${LOAD_BUDGET_MS} ms; ${pageDiagnosis}: ${e.message.split('\n')[0]}`);
  });
  const loadMs = Date.now() - t0;
  console.log(`# loaded ${N} trials in ${loadMs} ms`);
  assert.ok(loadMs < LOAD_BUDGET_MS);
  await waitText(page, '[data-testid=count-total]', N);
  await waitText(page, '[data-testid=table-total]', N);
  assert.equal(await page.locator('[data-testid=trial-row]').count(), 50, 'one page of rows in the DOM');

  // Interactions answer quickly: last page, sort, filter.
  let t = Date.now();
  await page.click('[data-testid=page-last]');
  await waitText(page, '[data-testid=page-label]', `page ${N / 50} / ${N / 50}`, 5000);
  assert.equal(await page.locator('[data-testid=trial-row]').last().getAttribute('data-number'), String(N - 1));
  const pageMs = Date.now() - t;
  t = Date.now();
  await page.click('th[data-col=objective]');
  await waitText(page, '[data-testid=page-label]', `page 1 / ${N / 50}`, 5000);
  const sortMs = Date.now() - t;
  t = Date.now();
  await page.selectOption('[data-testid=state-filter]', 'failed');
  await waitFor(async () => (await text(page, '[data-testid=table-status]')).startsWith('0 trials'), { timeout: 5000, what: 'no failed trials' });
  const filterMs = Date.now() - t;
  console.log(`# last page ${pageMs} ms, sort ${sortMs} ms, filter ${filterMs} ms`);
  for (const ms of [pageMs, sortMs, filterMs]) assert.ok(ms < 5000, `interaction took ${ms} ms`);
  // The main thread is not blocked: a trivial evaluate returns promptly.
  t = Date.now();
  await page.evaluate(() => 1);
  assert.ok(Date.now() - t < 2000);
  assert.match(await text(page, '[data-testid=infeasible-count]'), /^\d+$/);
  await page.selectOption('[data-testid=state-filter]', 'all');
  await screenshot(page, 'scale-20k');
  assertNoProblems(problems);
});
