// Derived facts about a study's config and trials, shared by the charts and the table.
import type { ParamSpec, StudyConfig, Trial } from './types';

/** The objective's value for a completed trial: measured directly, or combined from targets. null when unknown. */
export function objectiveValue(cfg: StudyConfig, t: Trial): number | null {
  if (t.state !== 'completed' || !t.values) return null;
  const o = cfg.objective;
  const direct = t.values[o.name];
  if (typeof direct === 'number') return direct;
  const extra = (t as unknown as { objective?: unknown }).objective;
  if (typeof extra === 'number') return extra;
  if (o.targets) {
    let sum = 0;
    for (const [k, target] of Object.entries(o.targets)) {
      const x = t.values[k];
      if (typeof x !== 'number') return null;
      sum += (o.weights?.[k] ?? 1) * (x - target) ** 2;
    }
    return sum;
  }
  return null;
}

/** Names of measured outcomes (the keys of `values`), objective first when it is measured directly. */
export function outcomeNames(cfg: StudyConfig): string[] {
  const names: string[] = [];
  const add = (n: string) => {
    if (!names.includes(n)) names.push(n);
  };
  if (cfg.outputs && cfg.outputs.length > 0) cfg.outputs.forEach((o) => add(o.name));
  else add(cfg.objective.name);
  (cfg.constraints ?? []).forEach((c) => add(c.name));
  return names;
}

export function targetFidelity(cfg: StudyConfig): number | null {
  const f = cfg.fidelity;
  if (!f) return null;
  if (f.levels && f.levels.length > 0) return Math.max(...f.levels);
  return f.high ?? null;
}

export function isBetter(cfg: StudyConfig, a: number, b: number): boolean {
  return cfg.objective.goal === 'maximize' ? a > b : a < b;
}

/** Whether a completed trial counts for "best": feasible and at the target fidelity. */
export function countsForBest(cfg: StudyConfig, t: Trial): boolean {
  if (t.state !== 'completed' || t.feasible === false) return false;
  const tf = targetFidelity(cfg);
  return tf === null || t.fidelity === undefined || t.fidelity === tf;
}

export function isNumeric(p: ParamSpec): boolean {
  return p.type === 'float' || p.type === 'int';
}

/** `n` grid values spanning a parameter (log-spaced for log parameters; distinct integers for int parameters). */
export function paramGrid(p: ParamSpec, n: number): (string | number)[] {
  if (p.type === 'categorical') return [...(p.choices ?? [])];
  const lo = p.low ?? 0;
  const hi = p.high ?? 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = n === 1 ? 0.5 : i / (n - 1);
    out.push(p.log && lo > 0 ? Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo))) : lo + u * (hi - lo));
  }
  if (p.type === 'int') return [...new Set(out.map((v) => Math.round(v)))];
  return out;
}

/** Middle of a parameter's range, the fallback "fixed" value for slices when there is no best trial yet. */
export function paramMiddle(p: ParamSpec): string | number {
  if (p.type === 'categorical') return (p.choices ?? [''])[0];
  const lo = p.low ?? 0;
  const hi = p.high ?? 1;
  const mid = p.log && lo > 0 ? Math.sqrt(lo * hi) : (lo + hi) / 2;
  return p.type === 'int' ? Math.round(mid) : mid;
}
