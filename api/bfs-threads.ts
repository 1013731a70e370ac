/**
 * Level-synchronous bfs over worker threads (api/bfs-worker.ts) sharing one visited set (explore/shared-table.ts).
 * Per level: every worker expands its frontier and keeps the successors (phase one; the table is only read);
 * barrier; the table is grown here if the kept successors could overfill it; every worker inserts its successors,
 * keeping those it inserted first as its next frontier (phase two); barrier; frontiers that came out uneven are
 * evened out. The levels, hence state counts, verdicts and counterexample lengths, do not depend on timing or on
 * the number of workers (explore/level-sync.ts), and the least-parent rule makes the recorded tree not depend on
 * them either. Budgets are watched here: a limit, an interrupt or a failed worker terminates every worker, never a hang.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { preferFound } from '../explore/level-sync';
import { SharedTable } from '../explore/shared-table';
import type { BfsTask, EngineFigures, FoundMsg, FromWorker, ToWorker } from './bfs-protocol';

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
  /** States moved between workers to even their frontiers out. */
  moved: number;
}

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

  constructor(
    task: BfsTask,
    readonly count: number,
    private readonly limits: PoolLimits,
    public table: SharedTable,
  ) {
    this.inbox = Array.from({ length: count }, () => []);
    this.heapMB = new Array<number>(count).fill(0);
    this.workers = Array.from({ length: count }, (_, index) => {
      const w = new Worker(workerFile(), { workerData: { task, index, count, table: table.buffers } });
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
    else if (this.heapMB.reduce((a, p) => a + p, 0) + this.table.bytes / 1048576 > l.maxMemoryMB) this.stop({ kind: 'limit', by: 'max-memory' });
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
  async all<T extends FromWorker['t']>(t: T, from: readonly number[] = this.workers.map((_, i) => i)): Promise<Extract<FromWorker, { t: T }>[]> {
    for (;;) {
      if (this.stopped) throw new Stop(this.stopped);
      this.watch();
      if (this.stopped) throw new Stop(this.stopped);
      if (from.every((i) => this.inbox[i].length > 0)) {
        return from.map((i) => {
          const m = this.inbox[i].shift()!;
          if (m.t !== t) throw new Stop({ kind: 'failed', reason: `worker ${i} said ${m.t}, expected ${t}` });
          return m as Extract<FromWorker, { t: T }>;
        });
      }
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

/** One phase on the workers in `order` (replies indexed by worker): all at once, or (test hook `staggered`) one after the other, in `order`. */
async function phase<T extends FromWorker['t']>(
  pool: Pool,
  m: (i: number) => ToWorker,
  reply: T,
  order: number[],
  staggered: boolean,
): Promise<Extract<FromWorker, { t: T }>[]> {
  const out: Extract<FromWorker, { t: T }>[] = [];
  if (!staggered) {
    for (const i of order) pool.send(i, m(i));
    for (const [k, r] of (await pool.all(reply, order)).entries()) out[order[k]] = r;
    return out;
  }
  for (const i of order) {
    pool.send(i, m(i));
    out[i] = (await pool.all(reply, [i]))[0];
  }
  return out;
}

/**
 * Even the frontiers out when the largest is more than 10 % (and 16 states) above the mean: states start on
 * worker 0 (the initial state) and each worker keeps what it inserted first, so without this one worker could
 * hold most of a level. The moved states' portable keys travel through here. Returns the number moved.
 */
async function rebalance(pool: Pool, sizes: number[]): Promise<number> {
  const total = sizes.reduce((a, b) => a + b, 0);
  const mean = total / pool.count;
  if (Math.max(...sizes) <= Math.max(mean * 1.1, mean + 16)) return 0;
  const target = sizes.map((_, i) => Math.floor(total / pool.count) + (i < total % pool.count ? 1 : 0));
  const donors = sizes.map((s, i) => ({ i, n: s - target[i] })).filter((d) => d.n > 0);
  const takers = sizes.map((s, i) => ({ i, n: target[i] - s })).filter((d) => d.n > 0);
  const given = await phase(
    pool,
    (i) => ({ t: 'give', count: donors.find((d) => d.i === i)!.n }),
    'gave',
    donors.map((d) => d.i),
    false,
  );
  let moved = 0;
  const keys: string[] = [];
  const fps: number[] = [];
  for (const d of donors) {
    const m = given[d.i].moved;
    keys.push(...m.keys);
    fps.push(...m.fps);
  }
  for (const t of takers) {
    pool.send(t.i, { t: 'take', moved: { keys: keys.slice(moved, moved + t.n), fps: Uint32Array.from(fps.slice(2 * moved, 2 * (moved + t.n))) } });
    moved += t.n;
  }
  await pool.all(
    'took',
    takers.map((t) => t.i),
  );
  return moved;
}

/** Sum or max the workers' engine figures. */
function engineOf(ins: readonly Extract<FromWorker, { t: 'inserted' }>[]): EngineFigures {
  return {
    xstateTransitions: ins.reduce((a, d) => a + d.engine.xstateTransitions, 0),
    localStates: Math.max(...ins.map((d) => d.engine.localStates)),
    memories: Math.max(...ins.map((d) => d.engine.memories)),
    messages: Math.max(...ins.map((d) => d.engine.messages)),
  };
}

/** Run the level-synchronous bfs on `workers` threads; `root` is the initial state's portable fingerprint. */
export async function threadBfs(task: BfsTask, workers: number, limits: PoolLimits, root: readonly [number, number]): Promise<PoolOutcome> {
  const table = SharedTable.create();
  table.insert(root[0], root[1], 0, 0, 0);
  const pool = new Pool(task, workers, limits, table);
  const out: PoolOutcome = {
    end: { kind: 'complete' },
    states: 0,
    transitions: 0,
    depth: 0,
    bytes: 0,
    moved: 0,
    engine: { xstateTransitions: 0, localStates: 0, memories: 0, messages: 0 },
  };
  const all = pool.workers.map((_, i) => i);
  const staggered = task.staggered === true;
  try {
    await pool.all('ready');
    for (let depth = 0; ; depth++) {
      const ex = await phase(pool, () => ({ t: 'expand', depth }), 'expanded', all, staggered);
      let found: FoundMsg | undefined;
      for (const e of ex) {
        out.transitions += e.transitions;
        if (e.found) found = preferFound(found, e.found);
      }
      const grown = pool.table.grownFor(ex.reduce((a, e) => a + e.kept, 0));
      const fresh = grown === pool.table ? undefined : grown.buffers;
      pool.table = grown;
      const ins = await phase(pool, () => ({ t: 'insert', depth, table: fresh }), 'inserted', [...all].reverse(), staggered);
      out.states = pool.table.size;
      out.bytes = pool.table.bytes;
      out.engine = engineOf(ins);
      const sizes = ins.map((d) => d.frontier);
      const next = sizes.reduce((a, b) => a + b, 0);
      if (next > 0) out.depth = depth + 1;
      limits.onProgress?.(out.states, out.depth, next);
      if (found) {
        out.end = { kind: 'found', found, chain: chain(pool.table, found.h, found.l) };
        return out;
      }
      if (next === 0) return out;
      pool.watch();
      out.moved += await rebalance(pool, sizes);
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
