// A minimal client of the public API for setting up test data.
export class Api {
  constructor(url, token = null) {
    this.url = url;
    this.token = token;
  }

  async call(method, path, body) {
    const headers = { 'Content-Type': 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const res = await fetch(this.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    if (!res.ok) {
      const err = new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
      err.status = res.status;
      err.body = json;
      throw err;
    }
    return json;
  }

  createStudy(config) {
    return this.call('POST', '/api/v1/studies', config);
  }
  study(name) {
    return this.call('GET', `/api/v1/studies/${encodeURIComponent(name)}`);
  }
  suggest(name, count = 1, worker = undefined) {
    return this.call('POST', `/api/v1/studies/${encodeURIComponent(name)}/suggest`, { count, ...(worker ? { worker } : {}) });
  }
  complete(name, number, values, extra = {}) {
    return this.call('POST', `/api/v1/studies/${encodeURIComponent(name)}/trials/${number}/complete`, { values, ...extra });
  }
  fail(name, number, reason) {
    return this.call('POST', `/api/v1/studies/${encodeURIComponent(name)}/trials/${number}/fail`, { reason });
  }
  abandon(name, number) {
    return this.call('POST', `/api/v1/studies/${encodeURIComponent(name)}/trials/${number}/abandon`, {});
  }
  addTrial(name, params, values) {
    return this.call('POST', `/api/v1/studies/${encodeURIComponent(name)}/trials`, { params, values });
  }
}

export const XSS = '<img src=x onerror=alert(1)>';

/**
 * A Sobol study with a float (log), an int and a categorical parameter (one choice is an HTML payload), a constraint,
 * and trials in every state. Returns the numbers that tests check against.
 */
export async function seedMixedStudy(api, name) {
  await api.createStudy({
    name,
    parameters: [
      { name: 'lr', type: 'float', low: 0.0001, high: 1, log: true },
      { name: 'depth', type: 'int', low: 1, high: 8 },
      { name: 'kernel', type: 'categorical', choices: ['rbf', 'poly', XSS] },
    ],
    objective: { name: 'loss', goal: 'minimize' },
    constraints: [{ name: 'latency', op: '<=', bound: 10 }],
    strategy: { name: 'sobol' },
    seed: 3,
  });
  const { trials } = await api.suggest(name, 12, 'worker-<b>1</b>');
  const nums = trials.map((t) => t.number);
  // 8 completed (losses 8, 7, ..., 1; latency 5 or 15 so that some are infeasible), 2 failed, 1 abandoned, 1 pending.
  const completed = nums.slice(0, 8);
  let best = null;
  for (let i = 0; i < completed.length; i++) {
    const loss = 8 - i + 0.25;
    const latency = i % 3 === 2 ? 15 : 5; // i = 2, 5 infeasible
    await api.complete(name, completed[i], { loss, latency });
    if (latency <= 10 && (best === null || loss < best)) best = loss;
  }
  await api.fail(name, nums[8], `diverged ${XSS}`);
  await api.fail(name, nums[9], 'out of memory');
  await api.abandon(name, nums[10]);
  return {
    best,
    counts: { completed: 8, failed: 2, abandoned: 1, pending: 1, total: 12 },
    infeasible: 2,
    pendingNumber: nums[11],
  };
}
