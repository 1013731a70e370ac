/**
 * The messages of the level-synchronous bfs on worker threads (api/bfs-threads.ts coordinates, api/bfs-worker.ts
 * works): what the coordinator and the workers say to each other. The visited set is shared memory
 * (explore/shared-table.ts): only levels, growth of the table and, when frontiers are uneven, states move here.
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
   * Test hook: the coordinator runs each phase of a level on one worker at a time (the inserting phase in reverse
   * order), so one worker's successors all reach the shared table before another's (an order a loaded machine may
   * give; specs/scale): the least-parent rule must still record the same tree.
   */
  staggered?: boolean;
}

export interface BfsWorkerData {
  task: BfsTask;
  index: number;
  count: number;
  table: SharedTableBuffers;
}

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
  /** Phase one of level `depth`: expand the frontier, keep the successors (the table is only read). */
  | { t: 'expand'; depth: number }
  /** Phase two: insert the kept successors at depth + 1 (into this table, if it was grown); they become the frontier. */
  | { t: 'insert'; depth: number; table?: SharedTableBuffers }
  /** Give the last `count` states of the frontier away (their portable keys). */
  | { t: 'give'; count: number }
  /** Take states another worker gave. */
  | { t: 'take'; moved: Moved };

export type FromWorker =
  | { t: 'ready' }
  | { t: 'expanded'; found: FoundMsg | null; transitions: number; kept: number }
  | { t: 'inserted'; frontier: number; engine: EngineFigures }
  | { t: 'gave'; moved: Moved }
  | { t: 'took' }
  | { t: 'progress'; heapMB: number }
  | { t: 'error'; message: string };
