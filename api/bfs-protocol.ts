/**
 * The messages of the level-synchronous bfs on worker threads (api/bfs-threads.ts coordinates, api/bfs-worker.ts
 * works): what the coordinator and the workers say to each other. The visited set is shared memory
 * (explore/shared-table.ts): only levels, growth of the table and, when frontiers are uneven, states go here.
 */
import type { SharedTableBuffers } from '../explore/shared-table';
import type { HypSystemOptions } from './system';

/** What every worker is started with: the HYP system as plain data and the search's options. */
export interface BfsTask {
  config: HypSystemOptions;
  symmetry: boolean;
  por: boolean;
  /** States at this depth are checked but not expanded (the re-search for a shorter trace). */
  maxDepth?: number;
  /** Test hook: this worker throws when it starts expanding this level (a crash, for specs/scale). */
  crashAt?: { worker: number; depth: number };
  /**
   * Test hook: the coordinator runs each level on one worker at a time (and the late inserts in reverse order), so
   * one worker's successors all reach the shared table before another's (an order a loaded machine may give;
   * specs/scale): the least-parent rule must still record the same tree. Frontiers are not evened out then.
   */
  staggered?: boolean;
  /** Test hook: start with a table of 16 slots and never grow it ahead of a level, so it fills up mid-level and grows at the barrier. */
  growLate?: boolean;
}

export interface BfsWorkerData {
  task: BfsTask;
  index: number;
  count: number;
  table: SharedTableBuffers;
  /**
   * One word per worker, shared: the coordinator sets a worker's to STEAL_ASKED when another worker has run out of
   * states in the level; the worker claims it (STEAL_CLAIMED), gives half its remaining states (`stolen`), clears it.
   */
  steal: Int32Array;
}

export const STEAL_NONE = 0;
export const STEAL_ASKED = 1;
export const STEAL_CLAIMED = 2;

/** A worker's engine memo figures (summed or maxed into the result's `engine` block). */
export interface EngineFigures {
  xstateTransitions: number;
  localStates: number;
  memories: number;
  messages: number;
}

/** A violation a worker met at a level, named by the state's portable key (which orders it) and its fingerprint. */
export interface FoundMsg {
  depth: number;
  key: string;
  h: number;
  l: number;
  invariant: string;
  message: string;
}

/** States moved between workers: fingerprints (h, l) and portable keys. */
export interface Moved {
  fps: Uint32Array;
  keys: string[];
}

export type ToWorker =
  /**
   * Expand level `depth`, inserting successors at depth + 1 into the shared table as they come (into this table,
   * if it was grown); first give away the last `give` states of the frontier; after its own states, expand the
   * `take` states another worker gave (they come as a `take` message).
   */
  | { t: 'expand'; depth: number; table?: SharedTableBuffers; give?: number; take?: number }
  /** Insert the successors kept when the table was too full (into this grown table): they join the next frontier. */
  | { t: 'insert'; depth: number; table: SharedTableBuffers }
  /** States another worker gave for this level. */
  | { t: 'take'; moved: Moved }
  /** States another worker gave up mid-level (it was asked to): expand them into this level's next frontier, then say `expanded` again. */
  | { t: 'thieve'; depth: number; moved: Moved };

export type FromWorker =
  | { t: 'ready' }
  | { t: 'gave'; moved: Moved }
  /** Half of this worker's remaining states of the level, given up when asked (possibly none). */
  | { t: 'stolen'; moved: Moved }
  /** A level expanded (or, after `thieve`, the stolen states): the next frontier's size, how many successors wait for a grown table. */
  | { t: 'expanded'; found: FoundMsg | null; transitions: number; kept: number; frontier: number; engine: EngineFigures }
  | { t: 'inserted'; frontier: number }
  | { t: 'progress'; heapMB: number }
  | { t: 'error'; message: string };
