/**
 * The messages of the level-synchronous bfs on worker threads (api/bfs-threads.ts coordinates, api/bfs-worker.ts
 * works): what the coordinator and the workers say to each other. The visited set (explore/shared-table.ts) and
 * the levels (explore/shared-frontier.ts) are shared memory: only the barrier, growth of the table, and the texts
 * of pieces a worker met first go here.
 */
import type { PieceText } from '../bus/portable-codec';
import type { SegmentBuffers } from '../explore/shared-frontier';
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
   * Test hook: the coordinator cuts each level in equal ranges and runs them one worker at a time, last range first
   * (and the late inserts in reverse order), so one worker's successors all reach the shared table before another's
   * (an order a loaded machine may give; specs/scale): the least-parent rule must still record the same tree.
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
  /** The next state of the level to claim (explore/shared-frontier.ts): set to 0 by the coordinator before each level. */
  cursor: Int32Array;
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

/** What a worker adds to the next level: its segment, and the texts of the pieces it met first (the others learn them). */
export interface Output {
  segment: SegmentBuffers;
  pieces: PieceText[];
}

export type ToWorker =
  /**
   * Expand level `depth` (the segments of every worker), claiming states from the shared cursor (or, test hook
   * `staggered`, exactly the states in `range`), inserting successors at depth + 1 into the shared table as they come
   * (into this table, if it was grown). First learn the pieces the other workers met.
   */
  | { t: 'expand'; depth: number; table?: SharedTableBuffers; level: SegmentBuffers[]; pieces: PieceText[]; range?: [number, number] }
  /** Insert the successors kept when the table was too full (into this grown table): they join the next level. */
  | { t: 'insert'; depth: number; table: SharedTableBuffers }
  /** Before a level: copy this worker's stripe of the table `from` into the larger `to` (every worker at once). */
  | { t: 'rehash'; from: SharedTableBuffers; to: SharedTableBuffers };

export type FromWorker =
  | ({ t: 'ready' } & Output)
  /** A level expanded: states expanded, transitions, the best violation met, how many successors wait for a grown table. */
  | ({ t: 'expanded'; found: FoundMsg | null; expanded: number; transitions: number; kept: number; engine: EngineFigures } & Output)
  | ({ t: 'inserted' } & Output)
  | { t: 'rehashed' }
  | { t: 'progress'; heapMB: number }
  | { t: 'error'; message: string };
