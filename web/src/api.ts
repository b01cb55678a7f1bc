// The public HTTP API, /api/v1 only.
import { authHeaders, getToken, requestToken } from './auth';
import type { Prediction, Study, Trial } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** fetch() with the token; on 401 asks for a token and retries. */
export async function authedFetch(path: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    const sentToken = getToken() !== null;
    const res = await fetch(path, {
      ...init,
      headers: { ...(init.headers as Record<string, string> | undefined), ...authHeaders() },
    });
    if (res.status !== 401) return res;
    await res.body?.cancel();
    await requestToken(sentToken);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  const res = await authedFetch(path, init);
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? 'unknown', e?.message ?? `HTTP ${res.status}`, e?.field);
  }
  return json as T;
}

const studyPath = (name: string) => `/api/v1/studies/${encodeURIComponent(name)}`;

export function listStudies(): Promise<{ studies: Study[] }> {
  return call('GET', '/api/v1/studies');
}

export function getStudy(name: string): Promise<Study> {
  return call('GET', studyPath(name));
}

export function listTrials(name: string, offset: number, limit: number): Promise<{ trials: Trial[]; total?: number }> {
  return call('GET', `${studyPath(name)}/trials?offset=${offset}&limit=${limit}`);
}

export function getTrial(name: string, num: number): Promise<Trial> {
  return call('GET', `${studyPath(name)}/trials/${num}`);
}

export function predict(name: string, points: Record<string, unknown>[]): Promise<{ predictions: Prediction[] }> {
  return call('POST', `${studyPath(name)}/predict`, { points });
}
