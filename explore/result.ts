/** The result of a search: the object `hypsim explore --json` prints and `explore()` returns. */
import type { TraceEntry } from '../bus/trace';
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
}

export interface SearchResult {
  result: 'verified' | 'violation' | 'incomplete';
  violation: ViolationReport | null;
  stats: Stats;
  /** Why an incomplete search stopped. */
  stoppedBy?: 'max-states' | 'max-seconds' | 'walks' | 'redis-lost';
  /** Exhaustive searches: how states were stored (fingerprints and their collision bound, or exact keys). */
  visited?: VisitedSummary;
}

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
  /** Exhaustive: keep full keys in the visited set instead of 64-bit fingerprints. */
  exact?: boolean;
  /** Exhaustive: let a large frontier spill to this store. */
  spill?: SpillOptions;
  /** Called about once a second with progress. */
  onProgress?: (p: { states: number; statesPerSecond: number; depth: number; frontier: number; seconds: number }) => void;
}
