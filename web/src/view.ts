import type { LiveStatus } from './sse';

export interface View {
  dispose(): void;
}

export interface Ctx {
  root: HTMLElement;
  setLive: (s: LiveStatus) => void;
}
