/**
 * Level-synchronous bfs over worker threads (api/bfs-worker.ts): each worker owns the states whose portable-key
 * fingerprint falls in its partition. Per level: every worker expands its share (successors go to their owners
 * in batches), then the coordinator tells each worker how many batches were sent to it, and the level ends once
 * all have arrived (the barrier). The levels, hence state counts, verdicts and counterexample lengths, do not
 * depend on timing or on the number of workers (explore/level-sync.ts). Budgets are watched here: a limit, an
 * interrupt or a failed worker terminates every worker, never a hang.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { preferFound } from '../explore/level-sync';
import type { BfsTask, EngineFigures, FoundMsg, FromWorker, ToWorker } from './bfs-protocol';
import { ownerOf } from './bfs-protocol';

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
}

class Stop extends Error {
  constructor(readonly end: PoolEnd) {
    super('stop');
  }
}

class Pool {
  private readonly workers: Worker[];
  private readonly inbox: FromWorker[][];
  private wake: (() => void) | null = null;
  private stopped: PoolEnd | null = null;
  private readonly progress: { states: number; heapMB: number }[];
  private readonly timer: NodeJS.Timeout;
  private readonly t0 = performance.now();

  constructor(
    task: BfsTask,
    readonly count: number,
    private readonly limits: PoolLimits,
  ) {
    this.inbox = Array.from({ length: count }, () => []);
    this.progress = Array.from({ length: count }, () => ({ states: 0, heapMB: 0 }));
    this.workers = Array.from({ length: count }, (_, index) => {
      const w = new Worker(workerFile(), { workerData: { task, index, count } });
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
      this.progress[index] = { states: m.states, heapMB: m.heapMB };
      this.watch();
    } else {
      this.inbox[index].push(m);
      this.wake?.();
    }
  }

  private watch(): void {
    const l = this.limits;
    const states = this.progress.reduce((a, p) => a + p.states, 0);
    if (l.interrupt?.aborted) this.stop({ kind: 'limit', by: 'interrupted' });
    else if (l.maxSeconds !== undefined && performance.now() - this.t0 >= l.maxSeconds * 1000) this.stop({ kind: 'limit', by: 'max-seconds' });
    else if (l.maxStates !== undefined && states >= l.maxStates) this.stop({ kind: 'limit', by: 'max-states' });
    else if (this.progress.reduce((a, p) => a + p.heapMB, 0) > l.maxMemoryMB) this.stop({ kind: 'limit', by: 'max-memory' });
  }

  private stop(end: PoolEnd): void {
    if (this.stopped) return;
    this.stopped = end;
    this.wake?.();
  }

  send(i: number, m: ToWorker, transfer: MessagePort[] = []): void {
    this.workers[i].postMessage(m, transfer);
  }

  /** The next message of type `t` from every worker (in worker order); throws Stop once the run must end. */
  async all<T extends FromWorker['t']>(t: T, from: readonly number[] = this.workers.map((_, i) => i)): Promise<Extract<FromWorker, { t: T }>[]> {
    for (;;) {
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

  /** States stored by all workers, as last reported. */
  get states(): number {
    return this.progress.reduce((a, p) => a + p.states, 0);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const w of this.workers) w.removeAllListeners('exit').removeAllListeners('error');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Connect every pair of workers with a channel of their own (batches and questions do not go through here). */
async function wire(pool: Pool): Promise<void> {
  const n = pool.count;
  const ports: (MessagePort | null)[][] = Array.from({ length: n }, () => new Array<MessagePort | null>(n).fill(null));
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const c = new MessageChannel();
      ports[i][j] = c.port1;
      ports[j][i] = c.port2;
    }
  for (let i = 0; i < n; i++)
    pool.send(
      i,
      { t: 'ports', ports: ports[i] },
      ports[i].filter((p): p is MessagePort => p !== null),
    );
  await pool.all('ready');
}

/** The fingerprints from the initial state to the found one: each owner names the parent of the next state back. */
async function chain(pool: Pool, h: number, l: number): Promise<[number, number][]> {
  const out: [number, number][] = [[h, l]];
  for (;;) {
    const o = ownerOf(l, pool.count);
    pool.send(o, { t: 'parent', h, l });
    const [m] = await pool.all('parent', [o]);
    if (!m.p) throw new Stop({ kind: 'failed', reason: `worker ${o} does not know a state of the counterexample` });
    if (m.p[0] === 0 && m.p[1] === 0) return out.reverse();
    [h, l] = m.p;
    out.push([h, l]);
  }
}

/** Every worker expands level `depth`: all at once, or (test hook `staggered`) one after the other. */
async function expandLevel(pool: Pool, depth: number, staggered: boolean): Promise<Extract<FromWorker, { t: 'expanded' }>[]> {
  if (!staggered) {
    for (let i = 0; i < pool.count; i++) pool.send(i, { t: 'level', depth });
    return pool.all('expanded');
  }
  const ex: Extract<FromWorker, { t: 'expanded' }>[] = [];
  for (let i = 0; i < pool.count; i++) {
    pool.send(i, { t: 'level', depth });
    ex.push(...(await pool.all('expanded', [i])));
  }
  return ex;
}

/** Run the level-synchronous bfs on `workers` threads; `fpOf` fingerprints a portable key (for the trace's chain). */
export async function threadBfs(task: BfsTask, workers: number, limits: PoolLimits, fpOf: (key: string) => [number, number]): Promise<PoolOutcome> {
  const pool = new Pool(task, workers, limits);
  const out: PoolOutcome = {
    end: { kind: 'complete' },
    states: 0,
    transitions: 0,
    depth: 0,
    bytes: 0,
    engine: { xstateTransitions: 0, localStates: 0, memories: 0, messages: 0 },
  };
  try {
    await wire(pool);
    for (let depth = 0; ; depth++) {
      const ex = await expandLevel(pool, depth, task.staggered === true);
      let found: FoundMsg | undefined;
      for (const e of ex) {
        out.transitions += e.transitions;
        if (e.found) found = preferFound(found, e.found);
      }
      for (let i = 0; i < workers; i++) pool.send(i, { t: 'drain', expect: ex.reduce((a, e) => a + e.sent[i], 0) });
      const dr = await pool.all('drained');
      out.states = dr.reduce((a, d) => a + d.states, 0);
      out.bytes = dr.reduce((a, d) => a + d.bytes, 0);
      out.engine = {
        xstateTransitions: dr.reduce((a, d) => a + d.engine.xstateTransitions, 0),
        localStates: Math.max(...dr.map((d) => d.engine.localStates)),
        memories: Math.max(...dr.map((d) => d.engine.memories)),
        messages: Math.max(...dr.map((d) => d.engine.messages)),
      };
      const next = dr.reduce((a, d) => a + d.next, 0);
      if (next > 0) out.depth = depth + 1;
      limits.onProgress?.(out.states, out.depth, next);
      if (found) {
        const [h, l] = fpOf(found.key);
        out.end = { kind: 'found', found, chain: await chain(pool, h, l) };
        return out;
      }
      if (next === 0) return out;
    }
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    out.end = e.end;
    out.states = Math.max(out.states, pool.states);
    return out;
  } finally {
    await pool.close();
  }
}
