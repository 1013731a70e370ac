/**
 * Level-synchronous bfs over worker threads (api/bfs-worker.ts) sharing one visited set (explore/shared-table.ts)
 * and the levels (explore/shared-frontier.ts). Per level: every worker claims states of the level from one shared
 * cursor until none is left, inserting each successor into the table as it comes and appending those it inserted
 * first to its segment of the next level; barrier, where the table is grown if it filled up mid-level and the
 * successors kept meanwhile are inserted, and the texts of pieces each worker met first go to the others (one
 * message a worker each way, a level). The levels, hence state counts, verdicts and counterexample
 * lengths, do not depend on timing or on the number of workers (explore/level-sync.ts), and the least-parent rule
 * makes the recorded tree not depend on them either. Budgets are watched here: a limit, an interrupt or a failed
 * worker terminates every worker, never a hang.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { preferFound } from '../explore/level-sync';
import { SharedTable, type SharedTableBuffers } from '../explore/shared-table';
import type { PieceText } from '../bus/portable-codec';
import type { SegmentBuffers } from '../explore/shared-frontier';
import type { BfsTask, EngineFigures, FoundMsg, FromWorker, Output, ToWorker } from './bfs-protocol';
import { present } from '../util/errors';

/** The compiled worker: beside this file in dist/, or dist/api/ when this file runs from source (tests). */
function workerFile(): string {
  const here = join(__dirname, 'bfs-worker.js');
  return existsSync(here) ? here : join(__dirname, '..', 'dist', 'api', 'bfs-worker.js');
}

export interface PoolLimits {
  maxStates?: number;
  maxSeconds?: number;
  maxMemoryMB: number;
  interrupt?: { readonly aborted: boolean };
  onProgress?: (states: number, depth: number, frontier: number) => void;
}

export type PoolEnd =
  | { kind: 'complete' }
  | { kind: 'found'; found: FoundMsg; chain: [number, number][] }
  | { kind: 'limit'; by: 'max-states' | 'max-seconds' | 'max-memory' | 'interrupted' }
  | { kind: 'failed'; reason: string };

export interface PoolOutcome {
  end: PoolEnd;
  states: number;
  transitions: number;
  depth: number;
  bytes: number;
  engine: EngineFigures;
  /** States each worker expanded (they claim them from one shared level, so this is how the work was shared). */
  expandedBy: number[];
}

type Expanded = Extract<FromWorker, { t: 'expanded' }>;

class Stop extends Error {
  constructor(readonly end: PoolEnd) {
    super('stop');
  }
}

class Pool {
  readonly workers: Worker[];
  private readonly inbox: FromWorker[][];
  private wake: (() => void) | null = null;
  private stopped: PoolEnd | null = null;
  private readonly heapMB: number[];
  private readonly timer: NodeJS.Timeout;
  private readonly t0 = performance.now();
  /** The next state of the level to claim (bfs-protocol.ts BfsWorkerData). */
  readonly cursor = new Int32Array(new SharedArrayBuffer(4));
  /** Bytes of the segments of the level being written, per worker (shared memory outside the heaps). */
  readonly segmentBytes: number[];

  constructor(
    task: BfsTask,
    readonly count: number,
    private readonly limits: PoolLimits,
    public table: SharedTable,
  ) {
    this.inbox = Array.from({ length: count }, () => []);
    this.heapMB = new Array<number>(count).fill(0);
    this.segmentBytes = new Array<number>(count).fill(0);
    this.workers = Array.from({ length: count }, (_, index) => {
      const w = new Worker(workerFile(), { workerData: { task, index, count, table: table.buffers, cursor: this.cursor } });
      w.on('message', (m: FromWorker) => this.receive(index, m));
      w.on('error', (e) => this.stop({ kind: 'failed', reason: `worker ${index} failed: ${e.message}` }));
      w.on('exit', (code) => this.stop({ kind: 'failed', reason: `worker ${index} exited (code ${code})` }));
      return w;
    });
    this.timer = setInterval(() => this.watch(), 50);
  }

  private receive(index: number, m: FromWorker): void {
    if (m.t === 'error') this.stop({ kind: 'failed', reason: `worker ${index}: ${m.message}` });
    else if (m.t === 'progress') {
      this.heapMB[index] = m.heapMB;
      this.watch();
    } else {
      this.inbox[index].push(m);
      this.wake?.();
    }
  }

  /** End the run if a budget is spent (also called at each barrier: a small search may never meet the timer). */
  watch(): void {
    const l = this.limits;
    const states = this.table.size;
    if (l.interrupt?.aborted) this.stop({ kind: 'limit', by: 'interrupted' });
    else if (l.maxSeconds !== undefined && performance.now() - this.t0 >= l.maxSeconds * 1000) this.stop({ kind: 'limit', by: 'max-seconds' });
    else if (l.maxStates !== undefined && states >= l.maxStates) this.stop({ kind: 'limit', by: 'max-states' });
    else if (this.heapMB.reduce((a, p) => a + p, 0) + (this.table.bytes + this.segmentBytes.reduce((a, b) => a + b, 0) * 2) / 1048576 > l.maxMemoryMB)
      this.stop({ kind: 'limit', by: 'max-memory' });
  }

  private stop(end: PoolEnd): void {
    if (this.stopped) return;
    this.stopped = end;
    this.wake?.();
  }

  send(i: number, m: ToWorker): void {
    this.workers[i].postMessage(m);
  }

  /** The next message of type `t` from every worker (in worker order); throws Stop once the run must end. */
  all<T extends FromWorker['t']>(t: T, from: readonly number[] = this.workers.map((_, i) => i)): Promise<Extract<FromWorker, { t: T }>[]> {
    return this.when(() => {
      if (!from.every((i) => this.inbox[i].length > 0)) return null;
      return from.map((i) => {
        const m = present(this.inbox[i].shift(), 'message in a non-empty inbox');
        if (m.t !== t) throw new Stop({ kind: 'failed', reason: `worker ${i} said ${m.t}, expected ${t}` });
        return m as Extract<FromWorker, { t: T }>;
      });
    });
  }

  /** What `take` gives once it gives something (it is asked again after each message); the budgets are watched meanwhile. */
  private async when<R>(take: () => R | null): Promise<R> {
    for (;;) {
      if (this.stopped) throw new Stop(this.stopped);
      this.watch();
      if (this.stopped) throw new Stop(this.stopped);
      const got = take();
      if (got !== null) return got;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const w of this.workers) w.removeAllListeners('exit').removeAllListeners('error');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The fingerprints from the initial state to the found one, read from the parents in the shared table. */
function chain(table: SharedTable, h: number, l: number): [number, number][] {
  const out: [number, number][] = [[h, l]];
  for (;;) {
    const p = table.parent(h, l);
    if (!p) throw new Stop({ kind: 'failed', reason: 'the shared table does not know a state of the counterexample' });
    if (p[0] === 0 && p[1] === 0) return out.reverse();
    [h, l] = p;
    out.push([h, l]);
  }
}

/**
 * The texts of pieces each worker met first, for the others: a worker that expands a state of the next level
 * rebuilds its pieces from these if it never met them itself.
 */
class Pieces {
  private readonly pending: PieceText[][];

  constructor(count: number) {
    this.pending = Array.from({ length: count }, () => []);
  }

  from(i: number, pieces: readonly PieceText[]): void {
    if (pieces.length === 0) return;
    for (const [j, p] of this.pending.entries()) if (j !== i) p.push(...pieces);
  }

  /** What worker i has not heard yet (then forgotten). */
  for(i: number): PieceText[] {
    const out = this.pending[i];
    this.pending[i] = [];
    return out;
  }
}

/** The states of a level: its segments' records. */
function sizeOf(level: readonly SegmentBuffers[]): number {
  return level.reduce((a, s) => a + s.count, 0);
}

/** Expand one level on every worker: all at once from the shared cursor, or (test hook `staggered`) in ranges one worker at a time, last first. */
async function expandLevel(
  pool: Pool,
  depth: number,
  fresh: SharedTableBuffers | undefined,
  level: SegmentBuffers[],
  pieces: Pieces,
  staggered: boolean,
): Promise<Expanded[]> {
  const msg = (i: number, range?: [number, number]): ToWorker => ({ t: 'expand', depth, table: fresh, level, pieces: pieces.for(i), range });
  Atomics.store(pool.cursor, 0, 0);
  let out: Expanded[];
  if (!staggered) {
    for (let i = 0; i < pool.count; i++) pool.send(i, msg(i));
    out = await pool.all('expanded');
  } else {
    const size = sizeOf(level);
    const cut = (i: number) => Math.round((size * i) / pool.count);
    out = new Array(pool.count);
    for (let i = pool.count - 1; i >= 0; i--) {
      pool.send(i, msg(i, [cut(i), cut(i + 1)]));
      out[i] = (await pool.all('expanded', [i]))[0];
    }
  }
  // The pieces the next level's states are made of, for the workers that did not meet them.
  for (const [i, e] of out.entries()) pieces.from(i, e.pieces);
  return out;
}

/** Insert what the workers kept while the table was full, into a table grown for them (late inserts in reverse order if staggered); their outputs. */
async function insertKept(pool: Pool, depth: number, ex: Expanded[], staggered: boolean): Promise<Output[]> {
  const outs: Output[] = ex.map((e) => ({ segment: e.segment, pieces: [] }));
  const kept = ex.reduce((a, e) => a + e.kept, 0);
  if (kept === 0) return outs;
  pool.table = pool.table.grownFor(kept);
  const who = ex.flatMap((e, i) => (e.kept > 0 ? [i] : []));
  const order = staggered ? who.reverse() : who;
  for (const i of order) {
    pool.send(i, { t: 'insert', depth, table: pool.table.buffers });
    if (staggered) outs[i] = (await pool.all('inserted', [i]))[0];
  }
  if (!staggered) for (const [k, r] of (await pool.all('inserted', order)).entries()) outs[order[k]] = r;
  return outs;
}

/** Sum or max the workers' engine figures. */
function engineOf(ex: readonly Expanded[]): EngineFigures {
  return {
    xstateTransitions: ex.reduce((a, d) => a + d.engine.xstateTransitions, 0),
    localStates: Math.max(...ex.map((d) => d.engine.localStates)),
    memories: Math.max(...ex.map((d) => d.engine.memories)),
    messages: Math.max(...ex.map((d) => d.engine.messages)),
  };
}

/**
 * Room for the next level ahead of it, so that workers rarely find the table full mid-level: its frontier times
 * the most new states a state has given so far, with half again to spare.
 */
class Presize {
  private ratio = 4;

  /** Grow the table ahead of the level if need be, every worker copying its stripe of the old table (bfs-protocol.ts `rehash`). */
  async grow(pool: Pool, frontier: number, growLate: boolean): Promise<void> {
    const to = growLate ? null : pool.table.larger(Math.ceil(frontier * this.ratio * 1.5) + 64);
    if (!to) return;
    for (let i = 0; i < pool.count; i++) pool.send(i, { t: 'rehash', from: pool.table.buffers, to: to.buffers });
    await pool.all('rehashed');
    pool.table = to;
  }

  learn(expanded: number, added: number): void {
    if (expanded > 0) this.ratio = Math.max(this.ratio, added / expanded);
  }
}

/** Run the level-synchronous bfs on `workers` threads; `root` is the initial state's portable fingerprint. */
export async function threadBfs(task: BfsTask, workers: number, limits: PoolLimits, root: readonly [number, number]): Promise<PoolOutcome> {
  const table = SharedTable.create(task.growLate ? 16 : 1 << 12);
  table.insert(root[0], root[1], 0, 0, 0);
  const pool = new Pool(task, workers, limits, table);
  const out: PoolOutcome = {
    end: { kind: 'complete' },
    states: 1,
    transitions: 0,
    depth: 0,
    bytes: 0,
    engine: { xstateTransitions: 0, localStates: 0, memories: 0, messages: 0 },
    expandedBy: new Array<number>(workers).fill(0),
  };
  const staggered = task.staggered === true;
  const presize = new Presize();
  const pieces = new Pieces(workers);
  let everyoneHas = pool.table;
  try {
    const ready = await pool.all('ready');
    for (const [i, r] of ready.entries()) pieces.from(i, r.pieces);
    let level = ready.map((r) => r.segment);
    for (let depth = 0; ; depth++) {
      const before = pool.table.size;
      const expanding = sizeOf(level);
      await presize.grow(pool, expanding, task.growLate === true);
      // Every worker must move to a table grown since the last level (at the barrier, only those with kept successors saw it).
      const fresh = pool.table !== everyoneHas ? pool.table.buffers : undefined;
      everyoneHas = pool.table;
      const ex = await expandLevel(pool, depth, fresh, level, pieces, staggered);
      let found: FoundMsg | undefined;
      for (const [i, e] of ex.entries()) {
        out.transitions += e.transitions;
        out.expandedBy[i] += e.expanded;
        if (e.found) found = preferFound(found, e.found);
      }
      const outs = await insertKept(pool, depth, ex, staggered);
      for (const [i, o] of outs.entries()) {
        pieces.from(i, o.pieces);
        pool.segmentBytes[i] = o.segment.words.byteLength;
      }
      level = outs.map((o) => o.segment);
      presize.learn(expanding, pool.table.size - before);
      out.states = pool.table.size;
      out.bytes = pool.table.bytes;
      out.engine = engineOf(ex);
      const next = sizeOf(level);
      if (next > 0) out.depth = depth + 1;
      limits.onProgress?.(out.states, out.depth, next);
      if (found) {
        out.end = { kind: 'found', found, chain: chain(pool.table, found.h, found.l) };
        return out;
      }
      if (next === 0) return out;
      pool.watch();
    }
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    out.end = e.end;
    out.states = Math.max(out.states, pool.table.size);
    return out;
  } finally {
    await pool.close();
  }
}
