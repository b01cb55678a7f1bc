// The trials of one study held in the page: loaded in pages, then kept current from server-sent events.
import { getTrial, listTrials } from './api';
import type { Trial } from './types';

export const PAGE = 1000;

export class TrialStore {
  /** Indexed by trial number. */
  readonly trials: Trial[] = [];
  private dirty = new Set<number>();
  private flushing: Promise<void> | null = null;
  total = 0;

  constructor(private readonly study: string) {}

  /**
   * Loads every trial from `offset` on, in pages of PAGE, calling `onPage` after each. The first page tells the
   * total; the rest are fetched a few at a time. Trials created meanwhile arrive as events (see markDirty), and a
   * short last page ends the walk.
   */
  async loadFrom(offset: number, onPage: () => void, isCancelled: () => boolean): Promise<void> {
    const first = await listTrials(this.study, offset, PAGE);
    this.take(first);
    onPage();
    if (first.trials.length < PAGE) return;
    let next = offset + first.trials.length;
    const end = typeof first.total === 'number' ? first.total : Infinity;
    let done = false;
    const worker = async () => {
      while (!done && !isCancelled()) {
        const off = next;
        if (off >= end && end !== Infinity) break;
        next += PAGE;
        const page = await listTrials(this.study, off, PAGE);
        this.take(page);
        onPage();
        if (page.trials.length < PAGE) done = true;
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    // Trials created after the first page was counted.
    if (!isCancelled() && end !== Infinity && !done) await this.loadFrom(Math.max(end, next), onPage, isCancelled);
  }

  private take(page: { trials: Trial[]; total?: number }): void {
    for (const t of page.trials) this.put(t);
    if (typeof page.total === 'number') this.total = Math.max(this.total, page.total);
    this.total = Math.max(this.total, this.trials.length);
  }

  put(t: Trial): void {
    this.trials[t.number] = t;
  }

  /** Marks a trial as changed; `flush` fetches what changed. */
  markDirty(num: number): void {
    this.dirty.add(num);
  }

  hasDirty(): boolean {
    return this.dirty.size > 0;
  }

  /** Lowest number whose trial may still change (pending ones), for resyncing after a reconnect. */
  resyncOffset(): number {
    for (let i = 0; i < this.trials.length; i++) {
      const t = this.trials[i];
      if (!t || t.state === 'pending') return i;
    }
    return this.trials.length;
  }

  /**
   * Fetches dirty trials. Numbers close together (within one page) are fetched as a range, a window with only a few
   * dirty trials one by one, so a burst of new trials costs a few requests and scattered updates cost no big pages.
   */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      try {
        while (this.dirty.size > 0) {
          const nums = [...this.dirty].sort((a, b) => a - b);
          this.dirty.clear();
          const singles: number[] = [];
          const ranges: [number, number][] = [];
          for (let i = 0; i < nums.length; ) {
            let j = i;
            while (j + 1 < nums.length && nums[j + 1] - nums[i] < PAGE) j++;
            if (j - i + 1 > 4) ranges.push([nums[i], nums[j]]);
            else singles.push(...nums.slice(i, j + 1));
            i = j + 1;
          }
          const got = await Promise.all(singles.map((n) => getTrial(this.study, n).catch(() => null)));
          for (const t of got) if (t) this.put(t);
          for (const [lo, hi] of ranges) this.take(await listTrials(this.study, lo, hi - lo + 1));
          this.total = Math.max(this.total, this.trials.length);
        }
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  /** Dense list of the trials we have, in number order. */
  list(): Trial[] {
    return this.trials.filter((t) => t !== undefined);
  }
}
