/** The result of a search: the object `hypsim explore --json` prints and `explore()` returns. */
import type { TraceEntry } from '../bus/trace';

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
  /**
   * The trace is a shortest one in the full state graph (bfs: re-searched without partial-order reduction
   * to the depth found). False for dfs, random and PCT (shrunk, not minimal).
   */
  shortest?: boolean;
}

/** Why an incomplete search stopped. */
export type StopReason = 'max-states' | 'max-seconds' | 'walks';

/** What a search strategy returns, narrowed by `result`. */
export type SearchResult =
  | { result: 'verified'; stats: Stats }
  | { result: 'violation'; violation: ViolationReport; stats: Stats }
  | { result: 'incomplete'; stats: Stats; stoppedBy: StopReason };

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
  /** Called about once a second with progress. */
  onProgress?: (p: { states: number; statesPerSecond: number; depth: number; frontier: number; seconds: number }) => void;
}
