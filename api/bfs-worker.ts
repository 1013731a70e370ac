/**
 * A worker thread of the level-synchronous bfs (api/bfs-threads.ts starts it). It rebuilds the HYP system from
 * plain data and shares one visited set with the other workers (explore/shared-table.ts). Per level it expands
 * its frontier with the shared per-state semantics (explore/level-sync.ts), reading the table for the cycle
 * proviso (depths ≤ d are final) and inserting each successor at depth d+1 as it comes: the ones it inserted
 * first are its next frontier, by local key. If the table is too full to insert, the rest wait for the barrier,
 * where it is grown. States move when the coordinator evens out uneven frontiers, and when another worker ran out
 * mid-level and this one is asked to share (its steal word): then their portable keys travel and are rebuilt
 * (api/portable-decode.ts).
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { Engine } from '../bus/engine';
import type { World } from '../bus/key';
import { finishExpansion, planExpansion, preferFound } from '../explore/level-sync';
import { SharedTable, type SharedTableBuffers } from '../explore/shared-table';
import {
  type BfsTask,
  type BfsWorkerData,
  type FoundMsg,
  type FromWorker,
  type Moved,
  STEAL_ASKED,
  STEAL_CLAIMED,
  STEAL_NONE,
  type ToWorker,
} from './bfs-protocol';
import { PortableDecoder } from './portable-decode';
import { system } from './system';
import { present } from '../util/errors';

/** States expanded between two looks at the clock (for heap reports). */
const CHUNK = 256;
/** States expanded between two looks at the steal word. */
const STEAL_EVERY = 8;
/** Fewer remaining states than this are not worth moving. */
const STEAL_MIN = 8;
/** Milliseconds between two heap reports. */
const REPORT_MS = 50;

/** States as parallel arrays: local keys, and (h, l) fingerprint words. */
class States {
  keys: string[] = [];
  fps: number[] = [];
  push(key: string, h: number, l: number): void {
    this.keys.push(key);
    this.fps.push(h, l);
  }
  clear(): void {
    this.keys.length = 0;
    this.fps.length = 0;
  }
}

/** What a level's expansion adds up to. */
interface Tally {
  found: FoundMsg | null;
  transitions: number;
}

class BfsWorker {
  private readonly engine: Engine<unknown>;
  private table: SharedTable;
  /** This level's states, and the next level's (those this worker inserted first); the arrays are reused. */
  private frontier = new States();
  private next = new States();
  /** Successors met while the table was too full: local keys, and (h, l, parent h, parent l) each. */
  private readonly keptKeys: string[] = [];
  private readonly keptFps: number[] = [];
  private full = false;
  private readonly scratch = new Uint32Array(2);
  private decoder: PortableDecoder | null = null;
  /** The successors of the state being expanded, and their portable fingerprints (h at 2i, l at 2i + 1): a few, so scanned. */
  private readonly fpWorlds: World[] = [];
  private readonly fpWords: number[] = [];
  private lastReport = 0;
  /** States given by another worker for this level, once their message came. */
  private moved: Moved | null = null;
  private movedCame: (() => void) | null = null;
  private readonly steal: Int32Array;

  constructor(
    private readonly task: BfsTask,
    private readonly index: number,
    data: BfsWorkerData,
  ) {
    this.engine = system(task.config).engine({ symmetry: task.symmetry });
    this.table = SharedTable.attach(data.table);
    this.steal = data.steal;
    if (index === 0) {
      const root = this.engine.initial();
      const key = this.engine.key(root);
      this.engine.portableFingerprint(root, this.scratch);
      this.frontier.push(key, this.scratch[0], this.scratch[1]);
    }
  }

  private post(m: FromWorker): void {
    parentPort!.postMessage(m);
  }

  /** The local key of a successor, its portable fingerprint noted beside it (the engine canonicalises once for both). */
  private keyOf(w: World): string {
    const k = this.engine.key(w);
    this.engine.portableFingerprint(w, this.scratch);
    this.fpWorlds.push(w);
    this.fpWords.push(this.scratch[0], this.scratch[1]);
    return k;
  }

  onCoordinator(m: ToWorker): void | Promise<void> {
    if (m.t === 'expand') return this.expandLevel(m);
    if (m.t === 'insert') return this.insertKept(m.depth, m.table);
    if (m.t === 'thieve') return this.expandStolen(m.depth, m.moved);
    this.moved = m.moved;
    this.movedCame?.();
  }

  /** Any throw ends the run through the coordinator, in one line (a worker never dies silently). */
  run(f: () => void | Promise<void>): void {
    const fail = (e: unknown) => this.post({ t: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    try {
      f()?.catch(fail);
    } catch (e) {
      fail(e);
    }
  }

  private async expandLevel(m: Extract<ToWorker, { t: 'expand' }>): Promise<void> {
    const { depth } = m;
    const c = this.task.crashAt;
    if (c && c.worker === this.index && c.depth === depth) throw new Error(`worker ${this.index} crashed at level ${depth} (test hook)`);
    if (m.table) this.table = SharedTable.attach(m.table);
    if (m.give) this.give(m.give);
    this.full = false;
    this.next.clear();
    const tally: Tally = { found: null, transitions: 0 };
    const { keys, fps } = this.frontier;
    let end = keys.length;
    for (let i = 0; i < end; i++) {
      this.expandOne(this.engine.decode(keys[i]), fps[2 * i], fps[2 * i + 1], depth, tally);
      if (i % CHUNK === CHUNK - 1) this.report();
      if (i % STEAL_EVERY === STEAL_EVERY - 1 && Atomics.load(this.steal, this.index) === STEAL_ASKED) end = this.giveUp(i + 1, end);
    }
    if (m.take) {
      if (!this.moved) await new Promise<void>((resolve) => (this.movedCame = resolve));
      const moved = present(this.moved, 'states given for this level');
      this.moved = null;
      this.movedCame = null;
      this.expandMoved(moved, depth, tally);
    }
    [this.frontier, this.next] = [this.next, this.frontier];
    this.postExpanded(tally);
  }

  /** States another worker handed over by portable key, expanded into this level's next frontier. */
  private expandMoved(moved: Moved, depth: number, tally: Tally): void {
    this.decoder ??= new PortableDecoder(this.engine, this.engine.actorCount);
    for (const [i, p] of moved.keys.entries()) this.expandOne(this.decoder.decode(p), moved.fps[2 * i], moved.fps[2 * i + 1], depth, tally);
  }

  private postExpanded(tally: Tally): void {
    const engine = { xstateTransitions: this.engine.transitionsComputed, ...this.engine.dictionarySizes() };
    this.post({ t: 'expanded', ...tally, kept: this.keptKeys.length, frontier: this.frontier.keys.length, engine });
  }

  /** The frontier's states [from, end) by portable key, to hand over. */
  private movedOf(from: number, end: number): Moved {
    const { keys, fps } = this.frontier;
    return { fps: Uint32Array.from(fps.slice(2 * from, 2 * end)), keys: keys.slice(from, end).map((k) => this.engine.portableKey(this.engine.decode(k))) };
  }

  /** Asked to share (another worker ran out): give half of the states [from, end) not yet expanded; the new end. */
  private giveUp(from: number, end: number): number {
    if (Atomics.compareExchange(this.steal, this.index, STEAL_ASKED, STEAL_CLAIMED) !== STEAL_ASKED) return end;
    const n = end - from >= STEAL_MIN ? (end - from) >> 1 : 0;
    this.post({ t: 'stolen', moved: this.movedOf(end - n, end) });
    Atomics.store(this.steal, this.index, STEAL_NONE);
    return end - n;
  }

  /** States another worker gave up in this level: expanded into this worker's next frontier (already swapped in). */
  private expandStolen(depth: number, moved: Moved): void {
    const tally: Tally = { found: null, transitions: 0 };
    // Successors go to `next`: swap the next frontier back in while these are expanded.
    [this.frontier, this.next] = [this.next, this.frontier];
    this.expandMoved(moved, depth, tally);
    [this.frontier, this.next] = [this.next, this.frontier];
    this.postExpanded(tally);
  }

  private report(): void {
    if (performance.now() - this.lastReport < REPORT_MS) return;
    this.lastReport = performance.now();
    this.post({ t: 'progress', heapMB: Math.round(getHeapStatistics().used_heap_size / 1048576) });
  }

  /** Expand one state (h, l) of level `depth`: count its transitions and record its successors, or note its violation. */
  private expandOne(world: World, h: number, l: number, depth: number, tally: Tally): void {
    const sys = this.engine;
    const found = (v: { invariant: string; message: string }) => {
      tally.found = preferFound(tally.found ?? undefined, { depth, key: sys.portableKey(world), h, l, ...v });
    };
    const v = sys.violation(world);
    // A state breaking a safety invariant is where a counterexample ends: not expanded (as the one-thread search).
    if (v) {
      found(v);
      return;
    }
    const enabled = sys.enabled(world);
    const q = enabled.length === 0 ? sys.quiescentViolation(world) : null;
    if (q) {
      found(q);
      return;
    }
    if (this.task.maxDepth !== undefined && depth >= this.task.maxDepth) return;
    this.fpWorlds.length = 0;
    this.fpWords.length = 0;
    const key = (w: World) => this.keyOf(w);
    const plan = planExpansion(sys, world, enabled, { por: this.task.por, key });
    const f = this.fpWords;
    // Reached at depth ≤ d (final while level d is expanded): the proviso's question, and a successor with nothing to record.
    const old = (w: World) => {
      const i = this.fpWorlds.indexOf(w);
      const at = this.table.depthOf(f[2 * i], f[2 * i + 1]);
      return at >= 0 && at <= depth;
    };
    const answers = plan.reduced.slice(0, plan.queries.length).map((s) => old(s.world));
    const next = finishExpansion(sys, plan, answers, key);
    tally.transitions += next.length;
    for (const s of next) {
      if (old(s.world)) continue;
      const i = this.fpWorlds.indexOf(s.world);
      this.record(s.key, f[2 * i], f[2 * i + 1], h, l, depth + 1);
    }
  }

  /** Insert a successor at `depth` (or keep it for the barrier if the table is too full); a state inserted first joins the next frontier. */
  private record(key: string, h: number, l: number, ph: number, pl: number, depth: number): void {
    const r = this.full ? 'full' : this.table.insert(h, l, ph, pl, depth);
    if (r === 'new') this.next.push(key, h, l);
    else if (r === 'full') {
      this.full = true;
      this.keptKeys.push(key);
      this.keptFps.push(h, l, ph, pl);
    }
  }

  /** At the barrier, into the grown table: the successors kept while it was too full. */
  private insertKept(depth: number, grown: SharedTableBuffers): void {
    this.table = SharedTable.attach(grown);
    const { keptKeys: keys, keptFps: f } = this;
    for (let i = 0; i < keys.length; i++) {
      const r = this.table.insert(f[4 * i], f[4 * i + 1], f[4 * i + 2], f[4 * i + 3], depth + 1);
      if (r === 'new') this.frontier.push(keys[i], f[4 * i], f[4 * i + 1]);
      else if (r === 'full') throw new Error('the shared table was grown too little for the kept successors');
    }
    keys.length = 0;
    f.length = 0;
    this.post({ t: 'inserted', frontier: this.frontier.keys.length });
  }

  /** Hand the last `count` frontier states over by portable key (the coordinator evens frontiers out). */
  private give(count: number): void {
    const { keys, fps } = this.frontier;
    const from = keys.length - count;
    const moved = this.movedOf(from, keys.length);
    keys.length = from;
    fps.length = 2 * from;
    this.post({ t: 'gave', moved });
  }
}

const data = workerData as BfsWorkerData;
let worker: BfsWorker | undefined;
try {
  worker = new BfsWorker(data.task, data.index, data);
  parentPort!.postMessage({ t: 'ready' } satisfies FromWorker);
} catch (e) {
  parentPort!.postMessage({ t: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) } satisfies FromWorker);
}
parentPort!.on('message', (m: ToWorker) => worker?.run(() => worker!.onCoordinator(m)));
