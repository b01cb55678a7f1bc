// Shapes of the public API (see shared/API.md). Everything here arrives from the network: treat strings as untrusted.

export type ParamValue = string | number;

export interface ParamSpec {
  name: string;
  type: 'float' | 'int' | 'categorical';
  low?: number;
  high?: number;
  log?: boolean;
  choices?: ParamValue[];
}

export interface Objective {
  name: string;
  goal: 'minimize' | 'maximize';
  targets?: Record<string, number>;
  weights?: Record<string, number>;
  expression?: string;
}

export interface Constraint {
  name: string;
  op: '<=' | '>=';
  bound: number;
}

export interface Fidelity {
  name: string;
  low?: number;
  high?: number;
  levels?: number[];
  costs?: number[];
  cost?: unknown;
}

export interface StudyConfig {
  name: string;
  parameters: ParamSpec[];
  objective: Objective;
  outputs?: { name: string }[];
  constraints?: Constraint[];
  fidelity?: Fidelity | null;
  strategy: { name: string; [key: string]: unknown };
  seed?: number;
}

export interface TrialCounts {
  pending: number;
  completed: number;
  failed: number;
  abandoned: number;
  total: number;
}

export interface Summary {
  trials: TrialCounts;
  best_value: number | null;
  best_trial: number | null;
  last_activity: string | null;
  strategy: string;
  [key: string]: unknown;
}

export interface Study {
  name: string;
  id: number | string;
  created_at: string;
  config: StudyConfig;
  summary: Summary;
}

export type TrialState = 'pending' | 'completed' | 'failed' | 'abandoned';

export interface Trial {
  number: number;
  state: TrialState;
  params: Record<string, ParamValue>;
  fidelity?: number;
  values?: Record<string, number>;
  feasible?: boolean;
  worker?: string | null;
  created_at?: string;
  completed_at?: string;
  updated_at?: string;
  fail_reason?: string;
  noise?: Record<string, number>;
  cost?: number;
  external?: boolean;
  diagnostics?: Record<string, unknown>;
}

export interface Posterior {
  mean: number;
  sd: number;
}

export type Prediction = Record<string, Posterior>;

export interface ServerEvent {
  type: 'study_created' | 'study_deleted' | 'trial_created' | 'trial_updated' | string;
  study?: string;
  number?: number;
  state?: TrialState;
}
