import './style.css';
import { studyListView } from './list';
import { EventBus, type LiveStatus } from './sse';
import { studyView } from './study';
import type { View } from './view';

const root = document.getElementById('app') as HTMLElement;
const live = document.getElementById('live') as HTMLElement;
let current: View | null = null;

function setLive(s: LiveStatus): void {
  live.textContent = s;
  live.className = `live ${s}`;
  live.dataset.status = s;
}

function route(): void {
  current?.dispose();
  current = null;
  window.scrollTo(0, 0);
  const m = /^#\/studies\/([^/]+)/.exec(location.hash);
  const ctx = { root, events };
  if (m) {
    let name: string;
    try {
      name = decodeURIComponent(m[1]);
    } catch {
      name = m[1];
    }
    document.title = `${name} — bayesd`;
    current = studyView(ctx, name);
  } else {
    document.title = 'bayesd';
    current = studyListView(ctx);
  }
}

const events = new EventBus(setLive);
window.addEventListener('hashchange', route);
route();
events.start();
