import type { EventBus } from './sse';

export interface View {
  dispose(): void;
}

export interface Ctx {
  root: HTMLElement;
  events: EventBus;
}
