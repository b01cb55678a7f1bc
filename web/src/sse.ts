// Server-sent events over fetch(): EventSource cannot send the Authorization header, so we read the stream ourselves.
import { authedFetch } from './api';
import type { ServerEvent } from './types';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** Incremental text/event-stream parser (the WHATWG algorithm, minus `id`/`retry`, which the daemon does not send). */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private eventName = '';

  constructor(private readonly onMessage: (data: string, event: string) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (!m) break;
      // A lone '\r' at the end of the buffer may be the first half of '\r\n': wait for more.
      if (m[0] === '\r' && m.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.onMessage(this.data.join('\n'), this.eventName || 'message');
      this.data = [];
      this.eventName = '';
      return;
    }
    if (line.startsWith(':')) return; // keep-alive comment
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.eventName = value;
  }
}

export interface Subscription {
  close(): void;
}

/**
 * Follows /api/v1/events (optionally for one study) until closed, reconnecting with backoff. `onResync` runs after
 * every reconnect: events may have been missed while the stream was down.
 */
export function subscribe(
  study: string | null,
  onEvent: (ev: ServerEvent) => void,
  onStatus: (s: LiveStatus) => void,
  onResync: () => void,
): Subscription {
  let closed = false;
  let controller: AbortController | null = null;
  let delay = 500;

  const run = async () => {
    let first = true;
    while (!closed) {
      onStatus(first ? 'connecting' : 'reconnecting');
      controller = new AbortController();
      try {
        const url = study ? `/api/v1/events?study=${encodeURIComponent(study)}` : '/api/v1/events';
        const res = await authedFetch(url, { signal: controller.signal, headers: { Accept: 'text/event-stream' } });
        if (!res.ok || !res.body) {
          // 503: the daemon's limit of open streams is reached; wait longer before trying again.
          if (res.status === 503) delay = Math.max(delay, 5000);
          throw new Error(`events: HTTP ${res.status}`);
        }
        onStatus('live');
        if (!first) onResync();
        delay = 500;
        const parser = new SseParser((data) => {
          let ev: ServerEvent;
          try {
            ev = JSON.parse(data) as ServerEvent;
          } catch {
            return;
          }
          onEvent(ev);
        });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.push(value);
        }
      } catch {
        /* network error or abort: fall through to the retry */
      }
      first = false;
      if (closed) break;
      onStatus('reconnecting');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10000);
    }
    onStatus('offline');
  };
  void run();
  return {
    close() {
      closed = true;
      controller?.abort();
    },
  };
}

type Listener = { onEvent: (ev: ServerEvent) => void; onResync: () => void };

/**
 * One event stream per tab, shared by the views (the daemon limits open streams, and a view change should not cost a
 * reconnect). Views add a listener and remove it when they go away.
 */
export class EventBus {
  private readonly listeners = new Set<Listener>();
  private sub: Subscription | null = null;

  constructor(private readonly onStatus: (s: LiveStatus) => void) {}

  start(): void {
    this.sub ??= subscribe(
      null,
      (ev) => this.listeners.forEach((l) => l.onEvent(ev)),
      this.onStatus,
      () => this.listeners.forEach((l) => l.onResync()),
    );
  }

  listen(onEvent: (ev: ServerEvent) => void, onResync: () => void): Subscription {
    const l = { onEvent, onResync };
    this.listeners.add(l);
    return { close: () => this.listeners.delete(l) };
  }

  stop(): void {
    this.sub?.close();
    this.sub = null;
  }
}
