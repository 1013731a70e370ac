/**
 * A worker thread of the level-synchronous bfs (api/bfs-threads.ts starts it). It rebuilds the HYP system from
 * plain data and owns the states whose portable-key fingerprint falls in its partition (a PartitionTable), and
 * it expands them: per level, with the shared per-state semantics (explore/level-sync.ts), sending each
 * successor's portable key, fingerprint and parent's fingerprint to the successor's owner in batches, and
 * answering the cycle proviso's questions about the states it owns. A state it computed itself is rebuilt from
 * its local key; one a peer sent, from its portable key (api/portable-decode.ts).
 */
import { getHeapStatistics } from 'node:v8';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { Engine } from '../bus/engine';
import type { Checkable, World } from '../explore/checkable';
import { fingerprint, fp } from '../explore/fingerprint';
import { type ExpansionPlan, finishExpansion, planExpansion, preferFound } from '../explore/level-sync';
import { PartitionTable } from '../explore/partition-table';
import type { BfsTask, BfsWorkerData, FoundMsg, FromWorker, ToPeer, ToWorker } from './bfs-protocol';
import { ownerOf } from './bfs-protocol';
import { PortableDecoder } from './portable-decode';
import { system } from './system';

/** States expanded between two turns of the event loop (peers' batches and questions are served in between). */
const CHUNK = 256;
/** Successors sent to a peer in one message. */
const BATCH = 2048;
/** Memo entries kept: past this the memo starts again. */
const MEMO_MAX = 1 << 20;

/** A state to expand: its local key if this worker computed it (cheap to rebuild), else its portable key. */
interface Entry {
  readonly local: string | null;
  readonly portable: string | null;
  readonly h: number;
  readonly l: number;
}

interface Memo {
  readonly h: number;
  readonly l: number;
  level: number;
  ph: number;
  pl: number;
}

class BfsWorker {
  private readonly engine: Engine<unknown>;
  private readonly sys: Checkable<World>;
  private readonly table = new PartitionTable();
  /** This level's states to expand (a local key if this worker computed the state, else its portable key) and the next level's. */
  private frontier: Entry[] = [];
  private next: Entry[] = [];
  private readonly decoder: PortableDecoder;
  private depth = 0;
  private peers: (MessagePort | null)[] = [];
  private batches: { fps: number[]; keys: string[] }[] = [];
  private sent: number[] = [];
  private received = 0;
  private expect = -1;
  private asks = 0;
  private readonly waiting = new Map<number, (a: boolean[]) => void>();
  /**
   * Local key (cheap, per process) → portable-key fingerprint (costly: the canonical content, hashed), with the
   * level it was last sent in and the least parent sent then: a send with no lesser parent changes nothing.
   */
  private readonly memo = new Map<string, Memo>();

  constructor(
    private readonly task: BfsTask,
    private readonly index: number,
    private readonly count: number,
  ) {
    this.engine = system(task.config).engine({ symmetry: task.symmetry });
    this.sys = this.engine;
    this.decoder = new PortableDecoder(this.engine, this.engine.actorCount);
    this.batches = Array.from({ length: count }, () => ({ fps: [], keys: [] }));
    this.sent = new Array<number>(count).fill(0);
    const root = this.sys.initial();
    const local = this.sys.key(root);
    const { h, l } = this.fpOf(root, local);
    if (ownerOf(l, count) === index) {
      this.table.add(h, l, 0, 0, 0);
      this.frontier.push({ local, portable: null, h, l });
    }
  }

  private post(m: FromWorker): void {
    parentPort!.postMessage(m);
  }

  private fpOf(w: World, local: string): Memo {
    let f = this.memo.get(local);
    if (f === undefined) {
      fingerprint(this.sys.portableKey(w));
      f = { h: fp[0], l: fp[1], level: -1, ph: 0, pl: 0 };
      if (this.memo.size >= MEMO_MAX) this.memo.clear();
      this.memo.set(local, f);
    }
    return f;
  }

  /** Record a successor reached at `depth`; a peer's batch names its depth, as it may come before this worker's own `level`. */
  private insert(h: number, l: number, ph: number, pl: number, depth: number, local: string | null, portable: string | null): void {
    if (this.table.add(h, l, ph, pl, depth) === 'new') this.next.push({ local, portable, h, l });
  }

  /** Reached at depth ≤ d (the asker's level): not a state first reached while level d is expanded. */
  private reached(h: number, l: number, d: number): boolean {
    const at = this.table.depthOf(h, l);
    return at >= 0 && at <= d;
  }

  onPeer(m: ToPeer, from: number): void {
    if (m.t === 'ins') {
      const f = m.fps;
      for (let i = 0; i < f.length; i += 4) this.insert(f[i], f[i + 1], f[i + 2], f[i + 3], m.depth, null, m.keys[i >> 2]);
      this.received++;
      this.maybeDrained();
    } else if (m.t === 'ask') {
      const answers: boolean[] = [];
      for (let i = 0; i < m.fps.length; i += 2) answers.push(this.reached(m.fps[i], m.fps[i + 1], m.depth));
      this.peers[from]!.postMessage({ t: 'ans', id: m.id, answers } satisfies ToPeer);
    } else {
      const resolve = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      resolve?.(m.answers);
    }
  }

  /** Every batch sent to this worker in the level has arrived: the next level's states are known. */
  private maybeDrained(): void {
    if (this.expect < 0 || this.received < this.expect) return;
    this.expect = -1;
    this.received = 0;
    this.frontier = this.next;
    this.next = [];
    const engine = { xstateTransitions: this.engine.transitionsComputed, ...this.engine.dictionarySizes() };
    this.post({ t: 'drained', next: this.frontier.length, states: this.table.size, bytes: this.table.bytes, engine });
  }

  onCoordinator(m: ToWorker): void {
    if (m.t === 'ports') {
      this.peers = m.ports;
      for (const [j, p] of m.ports.entries()) p?.on('message', (x: ToPeer) => this.run(() => this.onPeer(x, j)));
      this.post({ t: 'ready' });
    } else if (m.t === 'level') this.run(() => this.expandLevel(m.depth));
    else if (m.t === 'drain') {
      this.expect = m.expect;
      this.maybeDrained();
    } else this.post({ t: 'parent', p: this.table.parent(m.h, m.l) ?? null });
  }

  /** Any throw ends the run through the coordinator, in one line (a worker never dies silently). */
  run(f: () => void | Promise<void>): void {
    const fail = (e: unknown) => this.post({ t: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    try {
      const r = f();
      if (r) r.catch(fail);
    } catch (e) {
      fail(e);
    }
  }

  private async expandLevel(depth: number): Promise<void> {
    const c = this.task.crashAt;
    if (c && c.worker === this.index && c.depth === depth) throw new Error(`worker ${this.index} crashed at level ${depth} (test hook)`);
    this.depth = depth;
    this.sent.fill(0);
    let found: FoundMsg | null = null;
    let transitions = 0;
    const level = this.frontier;
    for (let i = 0; i < level.length; i += CHUNK) {
      const r = await this.expandChunk(level.slice(i, i + CHUNK), depth);
      transitions += r.transitions;
      for (const f of r.found) found = preferFound(found ?? undefined, f);
      this.flushAll();
      this.post({ t: 'progress', states: this.table.size, heapMB: Math.round(getHeapStatistics().used_heap_size / 1048576) });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.flushAll();
    this.post({ t: 'expanded', sent: [...this.sent], found, transitions });
  }

  private async expandChunk(entries: readonly Entry[], depth: number): Promise<{ transitions: number; found: FoundMsg[] }> {
    const found: FoundMsg[] = [];
    const plans: { h: number; l: number; plan: ExpansionPlan<World> }[] = [];
    // The portable fingerprint right after the local key: the engine canonicalises the state once for both.
    const key = (w: World) => {
      const k = this.sys.key(w);
      this.fpOf(w, k);
      return k;
    };
    for (const { local, portable, h, l } of entries) {
      const world = local !== null ? this.sys.decode(local) : this.decoder.decode(portable!);
      const v = this.sys.violation(world);
      // A state breaking a safety invariant is where a counterexample ends: not expanded (as the one-thread search).
      if (v) {
        found.push({ depth, key: this.sys.portableKey(world), invariant: v.invariant, message: v.message });
        continue;
      }
      const enabled = this.sys.enabled(world);
      const q = enabled.length === 0 ? this.sys.quiescentViolation(world) : null;
      if (q) found.push({ depth, key: this.sys.portableKey(world), invariant: q.invariant, message: q.message });
      if (this.task.maxDepth !== undefined && depth >= this.task.maxDepth) continue;
      plans.push({ h, l, plan: planExpansion(this.sys, world, enabled, { por: this.task.por, key }) });
    }
    const answers = await this.ask(plans.map((p) => p.plan));
    let transitions = 0;
    plans.forEach(({ h: ph, l: pl, plan }, i) => {
      for (const s of finishExpansion(this.sys, plan, answers[i], key)) {
        transitions++;
        this.route(this.fpOf(s.world, s.key), ph, pl, s, depth + 1);
      }
    });
    return { transitions, found };
  }

  private route(m: Memo, ph: number, pl: number, s: { world: World; key: string }, level: number): void {
    // Sent already in this level with a parent no greater: the owner keeps the least parent, so this send would change nothing.
    if (m.level === level && (m.ph < ph || (m.ph === ph && m.pl <= pl))) return;
    m.level = level;
    m.ph = ph;
    m.pl = pl;
    const { h, l } = m;
    const o = ownerOf(l, this.count);
    if (o === this.index) {
      this.insert(h, l, ph, pl, level, s.key, null);
      return;
    }
    const b = this.batches[o];
    b.fps.push(h, l, ph, pl);
    b.keys.push(this.sys.portableKey(s.world));
    if (b.keys.length >= BATCH) this.flush(o);
  }

  private flush(o: number): void {
    const b = this.batches[o];
    if (!b.keys.length) return;
    const fps = Uint32Array.from(b.fps);
    this.peers[o]!.postMessage({ t: 'ins', depth: this.depth + 1, fps, keys: b.keys } satisfies ToPeer, [fps.buffer]);
    this.sent[o]++;
    this.batches[o] = { fps: [], keys: [] };
  }

  private flushAll(): void {
    for (let o = 0; o < this.count; o++) if (o !== this.index) this.flush(o);
  }

  /** The proviso's answers for each plan's queries (keys of the successors in `plan.reduced`), asked of each owner at once. */
  private async ask(plans: readonly ExpansionPlan<World>[]): Promise<boolean[][]> {
    const answers = plans.map((p) => new Array<boolean>(p.queries.length).fill(false));
    const byOwner = new Map<number, { fps: number[]; at: [number, number][] }>();
    for (const [i, p] of plans.entries())
      for (const [j, s] of p.reduced.entries()) {
        if (j >= p.queries.length) break;
        const { h, l } = this.fpOf(s.world, s.key);
        const o = ownerOf(l, this.count);
        if (o === this.index) {
          answers[i][j] = this.reached(h, l, this.depth);
          continue;
        }
        const g = byOwner.get(o) ?? { fps: [], at: [] };
        g.fps.push(h, l);
        g.at.push([i, j]);
        byOwner.set(o, g);
      }
    await Promise.all(
      [...byOwner].map(([o, g]) => {
        const id = ++this.asks;
        return new Promise<void>((resolve) => {
          this.waiting.set(id, (a) => {
            for (const [n, [i, j]] of g.at.entries()) answers[i][j] = a[n];
            resolve();
          });
          this.peers[o]!.postMessage({ t: 'ask', id, depth: this.depth, fps: Uint32Array.from(g.fps) } satisfies ToPeer);
        });
      }),
    );
    return answers;
  }
}

const data = workerData as BfsWorkerData;
let worker: BfsWorker | undefined;
try {
  worker = new BfsWorker(data.task, data.index, data.count);
} catch (e) {
  parentPort!.postMessage({ t: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) } satisfies FromWorker);
}
parentPort!.on('message', (m: ToWorker) => worker?.run(() => worker!.onCoordinator(m)));
