// Starts the real bayesd daemon on an ephemeral port with a temporary database.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const BINARY = path.resolve(process.env.BAYESD_BIN ?? 'build/bayesd');

/**
 * Returns {url, token, stop()}. With BAYESD_URL set, talks to that server instead of starting one (for developing the
 * tests against a daemon already running).
 */
export async function startDaemon({ token = null } = {}) {
  if (process.env.BAYESD_URL) {
    return { url: process.env.BAYESD_URL.replace(/\/$/, ''), token: process.env.BAYESD_TOKEN ?? token, stop: async () => {} };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bayesd-e2e-'));
  const portFile = path.join(dir, 'port');
  const args = ['serve', '--db', path.join(dir, 'bayesd.db'), '--host', '127.0.0.1', '--port', '0', '--port-file', portFile];
  if (token) args.push('--token', token);
  const env = { ...process.env };
  delete env.BAYESD_TOKEN;
  const child = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));

  const deadline = Date.now() + 20000;
  let port = null;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`bayesd exited early (${JSON.stringify(exited)}):\n${log}`);
    try {
      const text = fs.readFileSync(portFile, 'utf8').trim();
      if (/^\d+$/.test(text) && Number(text) > 0) {
        port = Number(text);
        const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
        if (res && res.ok) break;
      }
    } catch {
      /* not written yet */
    }
    await sleep(50);
  }
  if (!port) {
    child.kill('SIGKILL');
    throw new Error(`bayesd did not come up within 20 s:\n${log}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    log: () => log,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const t = Date.now();
        while (!exited && Date.now() - t < 5000) await sleep(50);
        if (!exited) child.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
