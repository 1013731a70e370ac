/**
 * Level-synchronous bfs over worker threads (api/bfs-worker.ts) sharing one visited set (explore/shared-table.ts).
 * Per level: frontiers that came out uneven are evened out; every worker expands its frontier, inserting each
 * successor into the table as it comes and keeping those it inserted first as its next frontier; a worker that
 * runs out takes half of another's remaining states; barrier, where the table is grown if it filled up mid-level
 * and the successors kept meanwhile are inserted. The levels, hence state counts, verdicts and counterexample
 * lengths, do not depend on timing or on the number of workers (explore/level-sync.ts), and the least-parent rule
 * makes the recorded tree not depend on them either. Budgets are watched here: a limit, an interrupt or a failed
 * worker terminates every worker, never a hang.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { preferFound } from '../explore/level-sync';
import { SharedTable, type SharedTableBuffers } from '../explore/shared-table';
import { type BfsTask, type EngineFigures, type FoundMsg, type FromWorker, STEAL_ASKED, STEAL_NONE, type ToWorker } from './bfs-protocol';
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
  /** States moved between workers: to even frontiers out at a level's start, and given up mid-level to an idle worker. */
  moved: number;
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
  /** Per worker: asked to give up half its remaining states (bfs-protocol.ts STEAL_*). */
  readonly steal: Int32Array;

  constructor(
    task: BfsTask,
    readonly count: number,
    private readonly limits: PoolLimits,
    public table: SharedTable,
  ) {
    this.inbox = Array.from({ length: count }, () => []);
    this.steal = new Int32Array(new SharedArrayBuffer(4 * count));
    this.heapMB = new Array<number>(count).fill(0);
    this.workers = Array.from({ length: count }, (_, index) => {
      const w = new Worker(workerFile(), { workerData: { task, index, count, table: table.buffers, steal: this.steal } });
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

  /** The next message from any worker (the lowest index first among those waiting); throws Stop once the run must end. */
  any(): Promise<{ i: number; m: FromWorker }> {
    return this.when(() => {
      const i = this.inbox.findIndex((q) => q.length > 0);
      return i < 0 ? null : { i, m: present(this.inbox[i].shift(), 'message in a non-empty inbox') };
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

/** What the coordinator tells each worker at the start of a level: states to give away, or to expect. */
interface Moves {
  give: number[];
  take: number[];
}

/**
 * Even the frontiers out when the largest is more than 2 % (and one state) above the mean (a worker idle at the
 * barrier is time lost; a moved state costs a portable key and a rebuild, about 50 µs, while a HYP state at the narrow
 * top of the graph costs 0.1-0.4 ms to expand): states start on
 * worker 0 (the initial state) and each worker keeps what it inserted first, so without this one worker could
 * hold most of a level. The donors give the states at the start of the next level; the takers expand them
 * after their own.
 */
function evenOut(sizes: readonly number[]): Moves {
  const n = sizes.length;
  const total = sizes.reduce((a, b) => a + b, 0);
  const none = { give: new Array<number>(n).fill(0), take: new Array<number>(n).fill(0) };
  const mean = total / n;
  if (Math.max(...sizes) <= Math.max(mean * 1.02, mean + 1)) return none;
  const target = sizes.map((_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
  return { give: sizes.map((s, i) => Math.max(0, s - target[i])), take: sizes.map((s, i) => Math.max(0, target[i] - s)) };
}

/** Pass the donors' states to the takers (in worker order, each taker the next slice). */
async function forward(pool: Pool, moves: Moves): Promise<number> {
  const donors = moves.give.flatMap((n, i) => (n > 0 ? [i] : []));
  if (donors.length === 0) return 0;
  const given = await pool.all('gave', donors);
  const keys = given.flatMap((g) => g.moved.keys);
  const fps = given.flatMap((g) => [...g.moved.fps]);
  let at = 0;
  for (const [i, n] of moves.take.entries()) {
    if (n === 0) continue;
    pool.send(i, { t: 'take', moved: { keys: keys.slice(at, at + n), fps: Uint32Array.from(fps.slice(2 * at, 2 * (at + n))) } });
    at += n;
  }
  return at;
}

/** Expand level `depth` on every worker: all at once, or (test hook `staggered`) one after the other. */
async function expandLevel(
  pool: Pool,
  depth: number,
  fresh: SharedTableBuffers | undefined,
  moves: Moves,
  staggered: boolean,
  count: { moved: number },
): Promise<Expanded[]> {
  const msg = (i: number): ToWorker => ({ t: 'expand', depth, table: fresh, give: moves.give[i] || undefined, take: moves.take[i] || undefined });
  if (staggered) {
    const out: Expanded[] = [];
    for (let i = 0; i < pool.count; i++) {
      pool.send(i, msg(i));
      out.push(...(await pool.all('expanded', [i])));
    }
    return out;
  }
  for (let i = 0; i < pool.count; i++) pool.send(i, msg(i));
  await forward(pool, moves);
  return withStealing(pool, depth, count);
}

/** One worker's reports of a level merged: tallies summed, the last sizes kept. */
function merge(a: Expanded | undefined, b: Expanded): Expanded {
  if (!a) return b;
  const found = a.found && b.found ? preferFound(a.found, b.found) : (a.found ?? b.found);
  return { ...b, found, transitions: a.transitions + b.transitions };
}

/**
 * Wait for the level to be expanded, keeping every worker busy: when one runs out, a worker still on its own
 * states is asked (through its steal word) to give up half of what it has left, and the idle one expands them.
 * Which worker expands a state changes nothing the search reports (the table decides what is new; least parents).
 */
async function withStealing(pool: Pool, depth: number, count: { moved: number }): Promise<Expanded[]> {
  const out: (Expanded | undefined)[] = new Array(pool.count);
  const own = new Set(pool.workers.map((_, i) => i)); // still on its own frontier: may be asked to share
  const busy = new Set(own);
  const thiefOf = new Map<number, number>(); // asked victim → idle worker waiting for its states
  const ask = (idle: number) => {
    const victim = [...own].find((v) => v !== idle && !thiefOf.has(v));
    if (victim === undefined) return;
    thiefOf.set(victim, idle);
    Atomics.store(pool.steal, victim, STEAL_ASKED);
  };
  while (busy.size > 0) {
    const { i, m } = await pool.any();
    if (m.t === 'stolen') {
      const thief = thiefOf.get(i) as number;
      thiefOf.delete(i);
      if (m.moved.keys.length > 0) {
        busy.add(thief);
        count.moved += m.moved.keys.length;
        pool.send(thief, { t: 'thieve', depth, moved: m.moved });
      }
      continue;
    }
    if (m.t !== 'expanded') throw new Stop({ kind: 'failed', reason: `worker ${i} said ${m.t}, expected expanded or stolen` });
    out[i] = merge(out[i], m);
    busy.delete(i);
    if (own.delete(i) && thiefOf.has(i)) {
      // Done before it looked at its word: nothing will come; its thief may ask someone else.
      Atomics.compareExchange(pool.steal, i, STEAL_ASKED, STEAL_NONE);
      const thief = thiefOf.get(i) as number;
      thiefOf.delete(i);
      ask(thief);
    }
    ask(i);
  }
  return out.map((e, i) => e ?? failed(i));
}

function failed(i: number): never {
  throw new Stop({ kind: 'failed', reason: `worker ${i} reported nothing for a level` });
}

/** Insert what the workers kept while the table was full, into a table grown for them (late inserts in reverse order if staggered). */
async function insertKept(pool: Pool, depth: number, ex: Expanded[], staggered: boolean): Promise<number[]> {
  const sizes = ex.map((e) => e.frontier);
  const kept = ex.reduce((a, e) => a + e.kept, 0);
  if (kept === 0) return sizes;
  pool.table = pool.table.grownFor(kept);
  const who = ex.flatMap((e, i) => (e.kept > 0 ? [i] : []));
  const order = staggered ? who.reverse() : who;
  for (const i of order) {
    pool.send(i, { t: 'insert', depth, table: pool.table.buffers });
    if (staggered) sizes[i] = (await pool.all('inserted', [i]))[0].frontier;
  }
  if (!staggered) for (const [k, r] of (await pool.all('inserted', order)).entries()) sizes[order[k]] = r.frontier;
  return sizes;
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

  grow(pool: Pool, frontier: number, growLate: boolean): void {
    if (!growLate) pool.table = pool.table.grownFor(Math.ceil(frontier * this.ratio * 1.5) + 64);
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
    moved: 0,
    engine: { xstateTransitions: 0, localStates: 0, memories: 0, messages: 0 },
  };
  const staggered = task.staggered === true;
  const presize = new Presize();
  let sizes: number[] = pool.workers.map((_, i) => (i === 0 ? 1 : 0));
  let everyoneHas = pool.table;
  try {
    await pool.all('ready');
    for (let depth = 0; ; depth++) {
      const moves = evenOut(staggered ? sizes.map(() => 0) : sizes);
      const before = pool.table.size;
      const expanding = sizes.reduce((a, b) => a + b, 0);
      presize.grow(pool, expanding, task.growLate === true);
      // Every worker must move to a table grown since the last level (at the barrier, only those with kept successors saw it).
      const fresh = pool.table !== everyoneHas ? pool.table.buffers : undefined;
      everyoneHas = pool.table;
      const ex = await expandLevel(pool, depth, fresh, moves, staggered, out);
      out.moved += moves.take.reduce((a, b) => a + b, 0);
      let found: FoundMsg | undefined;
      for (const e of ex) {
        out.transitions += e.transitions;
        if (e.found) found = preferFound(found, e.found);
      }
      sizes = await insertKept(pool, depth, ex, staggered);
      presize.learn(expanding, pool.table.size - before);
      out.states = pool.table.size;
      out.bytes = pool.table.bytes;
      out.engine = engineOf(ex);
      const next = sizes.reduce((a, b) => a + b, 0);
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
