import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `fn` until it returns a truthy value (returned) or `timeout` ms pass (throws with the last value). */
export async function waitFor(fn, { timeout = 10000, interval = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${last})`);
    await sleep(interval);
  }
}

export async function text(page, selector) {
  return ((await page.locator(selector).first().textContent()) ?? '').trim();
}

/** Waits until the element's trimmed text equals `expected`. */
export async function waitText(page, selector, expected, timeout = 10000) {
  return waitFor(async () => (await text(page, selector)) === String(expected), { timeout, what: `${selector} == ${expected}` }).catch(
    async (e) => {
      throw new Error(`${e.message}; actual: ${JSON.stringify(await text(page, selector).catch(() => '<missing>'))}`);
    },
  );
}

/**
 * Asserts the page logged no errors. `allow` lists regexps for console errors a test expects (e.g. the browser's own
 * "Failed to load resource ... 401" line for the request that discovers a token is needed).
 */
export function assertNoProblems(problems, allow = []) {
  const unexpected = problems.console.filter((m) => !allow.some((re) => re.test(m)));
  assert.deepEqual(unexpected, [], 'console errors');
  assert.deepEqual(problems.pageErrors, [], 'uncaught page errors');
  assert.deepEqual(problems.dialogs, [], 'dialogs (alert/confirm/prompt)');
}

/**
 * Opens a study page and waits until all its trials are loaded. Within the dashboard this goes through the list (a
 * fresh view, same tab and event stream); from elsewhere it loads the page.
 */
export async function openStudy(page, url, name, timeout = 20000) {
  const hash = `#/studies/${encodeURIComponent(name)}`;
  if (page.url().startsWith(`${url}/`)) {
    await page.evaluate(() => {
      location.hash = '#/';
    });
    await page.waitForSelector('[data-testid=study-table]');
    await page.evaluate((h) => {
      location.hash = h;
    }, hash);
  } else {
    await page.goto(`${url}/${hash}`);
  }
  await page.waitForSelector('[data-testid=load-status][data-done=true]', { timeout });
}

/** How many non-blank pixels a chart's canvas has (0 for an empty or missing chart). */
export async function canvasInk(page, selector) {
  return page.evaluate((sel) => {
    const canvas = document.querySelector(`${sel} canvas`);
    if (!canvas) return 0;
    const ctx = canvas.getContext('2d');
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) ink++;
    return ink;
  }, selector);
}
