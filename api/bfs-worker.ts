/**
 * A worker thread of the level-synchronous bfs (api/bfs-threads.ts starts it): it rebuilds the HYP system from
 * plain data, owns the states whose portable-key fingerprint falls in its partition (a PartitionTable), expands
 * its share of each level with the shared per-state semantics (explore/level-sync.ts), sends successors owned
 * by others to them in batches, and answers their cycle-proviso questions ("reached at depth ≤ d?").
 */
import { getHeapStatistics } from 'node:v8';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { Engine } from '../bus/engine';
import type { Checkable, World } from '../explore/checkable';
import { fingerprint, fp } from '../explore/fingerprint';
import { finishExpansion, type ExpansionPlan, planExpansion, preferFound } from '../explore/level-sync';
import { NO_PARENT, PartitionTable } from '../explore/partition-table';
import type { BfsTask, BfsWorkerData, FoundMsg, FromWorker, ToPeer, ToWorker } from './bfs-protocol';
import { ownerOf } from './bfs-protocol';
import { system } from './system';

/** States expanded between two turns of the event loop (peers' batches and questions are served in between). */
const CHUNK = 256;
/** Successors sent to a peer in one message. */
const BATCH = 1024;
const MEMO_MAX = 1 << 20;

class BfsWorker {
  private readonly engine: Engine<unknown>;
  private readonly sys: Checkable<World>;
  private readonly table = new PartitionTable();
  private frontier: string[] = [];
  private next: string[] = [];
  /** Keys first reached at depth d+1 while level d is expanded: not "reached at depth ≤ d" for the proviso. */
  private readonly nextSet = new Set<string>();
  private readonly proviso: boolean;
  private peers: (MessagePort | null)[] = [];
  private batches: { keys: string[]; par: number[] }[] = [];
  private sent: number[] = [];
  private received = 0;
  private expect = -1;
  private asks = 0;
  private readonly waiting = new Map<number, (a: boolean[]) => void>();
  /** Local key (cheap, per process) → portable key (self-contained, costly). */
  private readonly memo = new Map<string, string>();

  constructor(
    private readonly task: BfsTask,
    private readonly index: number,
    private readonly count: number,
  ) {
    this.engine = system(task.config).engine({ symmetry: task.symmetry });
    this.sys = this.engine;
    this.proviso = task.por && !this.sys.acyclic;
    this.batches = Array.from({ length: count }, () => ({ keys: [], par: [] }));
    this.sent = new Array<number>(count).fill(0);
    const root = this.sys.portableKey(this.sys.initial());
    fingerprint(root);
    if (ownerOf(fp[1], count) === index) this.insert(root, fp[0], fp[1], NO_PARENT[0], NO_PARENT[1]);
    this.startLevel();
  }

  private post(m: FromWorker): void {
    parentPort!.postMessage(m);
  }

  private portable(w: World): string {
    const local = this.sys.key(w);
    let k = this.memo.get(local);
    if (k === undefined) {
      k = this.sys.portableKey(w);
      if (this.memo.size >= MEMO_MAX) this.memo.clear();
      this.memo.set(local, k);
    }
    return k;
  }

  private insert(key: string, h: number, l: number, ph: number, pl: number): void {
    if (!this.table.add(h, l, ph, pl)) return;
    this.next.push(key);
    if (this.proviso) this.nextSet.add(key);
  }

  /** The next level's states become the frontier. */
  private startLevel(): void {
    this.frontier = this.next;
    this.next = [];
    this.nextSet.clear();
    this.received = 0;
    this.expect = -1;
  }

  private reached(key: string): boolean {
    fingerprint(key);
    return this.table.has(fp[0], fp[1]) && !this.nextSet.has(key);
  }

  onPeer(m: ToPeer, from: number): void {
    if (m.t === 'ins') {
      for (let i = 0; i < m.keys.length; i++) {
        fingerprint(m.keys[i]);
        this.insert(m.keys[i], fp[0], fp[1], m.par[2 * i], m.par[2 * i + 1]);
      }
      this.received++;
      this.maybeDrained();
    } else if (m.t === 'ask') this.peers[from]!.postMessage({ t: 'ans', id: m.id, answers: m.keys.map((k) => this.reached(k)) } satisfies ToPeer);
    else {
      const resolve = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      resolve?.(m.answers);
    }
  }

  private maybeDrained(): void {
    if (this.expect < 0 || this.received < this.expect) return;
    const states = this.table.size;
    const engine = { xstateTransitions: this.engine.transitionsComputed, ...this.engine.dictionarySizes() };
    this.post({ t: 'drained', next: this.next.length, states, bytes: this.table.bytes, engine });
    this.startLevel();
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

  private async expandChunk(keys: readonly string[], depth: number): Promise<{ transitions: number; found: FoundMsg[] }> {
    const found: FoundMsg[] = [];
    const plans: { key: string; plan: ExpansionPlan<World> }[] = [];
    const key = (w: World) => this.portable(w);
    for (const k of keys) {
      const world = this.sys.fromPortableKey(k);
      const v = this.sys.violation(world);
      // A state breaking a safety invariant is where a counterexample ends: not expanded (as the one-thread search).
      if (v) {
        found.push({ depth, key: k, invariant: v.invariant, message: v.message });
        continue;
      }
      const enabled = this.sys.enabled(world);
      const q = enabled.length === 0 ? this.sys.quiescentViolation(world) : null;
      if (q) found.push({ depth, key: k, invariant: q.invariant, message: q.message });
      if (this.task.maxDepth !== undefined && depth >= this.task.maxDepth) continue;
      plans.push({ key: k, plan: planExpansion(this.sys, world, enabled, { por: this.task.por, key }) });
    }
    const answers = await this.ask(plans.map((p) => p.plan.queries));
    let transitions = 0;
    plans.forEach(({ key: k, plan }, i) => {
      fingerprint(k);
      const ph = fp[0];
      const pl = fp[1];
      for (const s of finishExpansion(this.sys, plan, answers[i], key)) {
        transitions++;
        this.route(s.key, ph, pl);
      }
    });
    return { transitions, found };
  }

  private route(key: string, ph: number, pl: number): void {
    fingerprint(key);
    const o = ownerOf(fp[1], this.count);
    if (o === this.index) {
      this.insert(key, fp[0], fp[1], ph, pl);
      return;
    }
    const b = this.batches[o];
    b.keys.push(key);
    b.par.push(ph, pl);
    if (b.keys.length >= BATCH) this.flush(o);
  }

  private flush(o: number): void {
    const b = this.batches[o];
    if (!b.keys.length) return;
    this.peers[o]!.postMessage({ t: 'ins', keys: b.keys, par: b.par } satisfies ToPeer);
    this.sent[o]++;
    this.batches[o] = { keys: [], par: [] };
  }

  private flushAll(): void {
    for (let o = 0; o < this.count; o++) if (o !== this.index) this.flush(o);
  }

  /** The proviso's answers for each plan's queries: asked of each key's owner, all at once. */
  private async ask(queries: readonly (readonly string[])[]): Promise<boolean[][]> {
    const answers = queries.map((q) => new Array<boolean>(q.length).fill(false));
    const byOwner = new Map<number, { keys: string[]; at: [number, number][] }>();
    for (const [i, q] of queries.entries())
      for (const [j, k] of q.entries()) {
        fingerprint(k);
        const o = ownerOf(fp[1], this.count);
        if (o === this.index) {
          answers[i][j] = this.reached(k);
          continue;
        }
        const g = byOwner.get(o) ?? { keys: [], at: [] };
        g.keys.push(k);
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
          this.peers[o]!.postMessage({ t: 'ask', id, keys: g.keys } satisfies ToPeer);
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
