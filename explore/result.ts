/** The result of a search: the object `hypsim explore --json` prints and `explore()` returns. */
import type { TraceEntry } from '../bus/trace';
import type { Budget, Progress, StopReason } from './budget';
import type { SpillOptions } from './frontier';
import type { VisitedSummary } from './visited';

export type Strategy = 'bfs' | 'dfs' | 'random' | 'pct';

export interface Stats {
  /** Distinct states (canonical keys) visited. */
  states: number;
  /** Steps applied (successors computed). */
  transitions: number;
  seconds: number;
  /** Longest path from the initial state explored. */
  depth: number;
  peakMemoryMB: number;
}

export interface ViolationReport {
  /** Stable invariant id (MODEL.md). */
  invariant: string;
  message: string;
  /** Every delivery from the initial state to the violation. */
  trace: TraceEntry[];
  /** Random/PCT only: how the violation was found and shrunk. */
  sample?: SampleReport;
  /**
   * The trace is a shortest one in the full state graph (bfs: re-searched without partial-order reduction
   * to the depth found). False for dfs, random and PCT (shrunk, not minimal).
   */
  shortest?: boolean;
}

/** Which run found a sampled violation and how it was shrunk; the same seed with `run` walks finds it again. */
export interface SampleReport {
  /** 1-based run (walk) that broke the invariant. */
  run: number;
  /** Steps of that run before shrinking. */
  originalSteps: number;
  /** Shorter traces accepted while shrinking. */
  shrinkSteps: number;
  /** Shrinking was cut short by the run's budget (`--max-seconds`, Ctrl-C): a shorter trace may exist. */
  shrinkStoppedBy?: StopReason;
  /** PCT's bug depth d, for PCT. */
  pctDepth?: number;
}

/** Exhaustive searches: how states were stored (fingerprints and their collision bound, or exact keys). */
interface Stored {
  visited?: VisitedSummary;
}

/** What a search strategy returns, narrowed by `result`. */
export type SearchResult =
  | ({ result: 'verified'; stats: Stats } & Stored)
  | ({ result: 'violation'; violation: ViolationReport; stats: Stats } & Stored)
  | ({ result: 'incomplete'; stats: Stats; stoppedBy: StopReason | 'walks' | 'redis-lost' } & Stored);

export interface SearchOptions {
  strategy: Strategy;
  /** Random and PCT seed. */
  seed: number;
  maxStates?: number;
  maxSeconds?: number;
  /** Partial-order reduction (the system's persistent sets). */
  por: boolean;
  /** Random/PCT: number of runs. */
  walks?: number;
  /** PCT bug depth d. */
  pctDepth?: number;
  /** Stop once the JS heap in use passes this many MB (default: explore/budget.ts). */
  maxMemoryMB?: number;
  /** Read once per expansion: a front end sets it on Ctrl-C. */
  interrupt?: { readonly aborted: boolean };
  /** The budget of the whole run, shared with the lasso pass and shrinking (default: one from the limits above). */
  budget?: Budget;
  /** Exhaustive: keep full keys in the visited set instead of 64-bit fingerprints. */
  exact?: boolean;
  /** Exhaustive: let a large frontier spill to this store. */
  spill?: SpillOptions;
  /** Called about once a second with progress. */
  onProgress?: (p: Progress) => void;
}
