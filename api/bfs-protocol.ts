/**
 * The messages of the level-synchronous bfs on worker threads (api/bfs-threads.ts coordinates, api/bfs-worker.ts
 * works): what the coordinator and the workers say to each other, and what workers say to their peers.
 */
import type { MessagePort } from 'node:worker_threads';
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
   * Test hook: the coordinator starts each level on one worker at a time, the next once the previous has expanded,
   * so later workers get their peers' batches before the word that the level started (the order a loaded machine
   * may give; specs/scale).
   */
  staggered?: boolean;
}

export interface BfsWorkerData {
  task: BfsTask;
  index: number;
  count: number;
}

/** A worker's engine memo figures (summed or maxed into the result's `engine` block). */
export interface EngineFigures {
  xstateTransitions: number;
  localStates: number;
  memories: number;
  messages: number;
}

/** A violation a worker met at a level, named by the state's portable key. */
export interface FoundMsg {
  depth: number;
  key: string;
  invariant: string;
  message: string;
}

export type ToWorker =
  | { t: 'ports'; ports: (MessagePort | null)[] }
  | { t: 'level'; depth: number }
  | { t: 'drain'; expect: number }
  | { t: 'parent'; h: number; l: number };

export type FromWorker =
  | { t: 'ready' }
  | { t: 'expanded'; sent: number[]; found: FoundMsg | null; transitions: number }
  | { t: 'drained'; next: number; states: number; bytes: number; engine: EngineFigures }
  | { t: 'progress'; states: number; heapMB: number }
  | { t: 'parent'; p: [number, number] | null }
  | { t: 'error'; message: string };

export type ToPeer =
  /**
   * Successors sent to their owner: (h, l, parent h, parent l) per state, its portable key, and the depth they are
   * reached at (named here: the owner may get a batch before the coordinator's word that this level started).
   */
  | { t: 'ins'; depth: number; fps: Uint32Array; keys: string[] }
  /** The cycle proviso's question: which of these (h, l) were reached at depth ≤ `depth` (the asker's level)? */
  | { t: 'ask'; id: number; depth: number; fps: Uint32Array }
  | { t: 'ans'; id: number; answers: boolean[] };

/** The worker that owns a state: by the low word of its portable key's fingerprint. */
export function ownerOf(l: number, count: number): number {
  return l % count;
}
