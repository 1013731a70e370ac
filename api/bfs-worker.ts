/**
 * A worker thread of the level-synchronous bfs (api/bfs-threads.ts starts it). It rebuilds the HYP system from
 * plain data and shares with the other workers one visited set (explore/shared-table.ts) and the levels
 * (explore/shared-frontier.ts). Per level it claims states of the level a few at a time from a shared cursor,
 * rebuilds each from its piece words (the hashes of its pieces, the same in every thread), expands it with the
 * shared per-state semantics (explore/level-sync.ts), reading the table for the cycle proviso (depths ≤ d are
 * final), and inserts each successor at depth d+1 as it comes: those it inserted first go to its own segment of the
 * next level, as piece words. If the table is too full to insert, the rest wait for the barrier, where it is grown.
 * The texts of pieces it hashed first go to the others at the barrier, so any worker can rebuild any state.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { Engine } from '../bus/engine';
import type { World } from '../bus/key';
import { finishExpansion, planExpansion, preferFound } from '../explore/level-sync';
import { LevelReader, SegmentWriter } from '../explore/shared-frontier';
import { SharedTable } from '../explore/shared-table';
import type { BfsTask, BfsWorkerData, FoundMsg, FromWorker, Output, ToWorker } from './bfs-protocol';
import { system } from './system';

/** States expanded between two looks at the clock (for heap reports). */
const CHUNK_REPORT = 256;
/** Milliseconds between two heap reports. */
const REPORT_MS = 50;
/** Words before a record's piece words: fingerprint (h, l) and queue length. */
const HEAD = 3;

/** What a level's expansion adds up to. */
interface Tally {
  found: FoundMsg | null;
  expanded: number;
  transitions: number;
}

class BfsWorker {
  private readonly engine: Engine<unknown>;
  private table: SharedTable;
  /** The segments this worker writes: level d's successors go to writers[(d + 1) & 1] (the other is being read). */
  private readonly writers = [new SegmentWriter(), new SegmentWriter()];
  private out: SegmentWriter;
  /** The successors of the state being expanded, by slot: fingerprints (h, l at 2i, 2i + 1) and representatives. */
  private readonly fps: number[] = [];
  private readonly reps: World[] = [];
  /** A record being written: [h, l, queue length, piece words…] (only states new to the table get one). */
  private readonly rec: number[] = [];
  /** Successors met while the table was too full: [parent h, parent l, record…] from `keptStarts[i]`. */
  private readonly kept: number[] = [];
  private readonly keptStarts: number[] = [];
  private full = false;
  private readonly scratch = new Uint32Array(2);
  private readonly cursor: Int32Array;
  private lastReport = 0;

  private readonly task: BfsTask;
  private readonly index: number;
  private readonly count: number;

  constructor(data: BfsWorkerData) {
    this.task = data.task;
    this.index = data.index;
    this.count = data.count;
    this.engine = system(data.task.config).engine({ symmetry: data.task.symmetry });
    this.table = SharedTable.attach(data.table);
    this.cursor = data.cursor;
    this.out = this.writers[0];
    if (data.index === 0) {
      const slot = this.slotOf(this.engine.initial());
      this.writeRecord(slot);
      this.out.push(this.rec, 0, this.rec.length);
    }
  }

  private post(m: FromWorker): void {
    parentPort!.postMessage(m);
  }

  /** This worker's share of the next level so far, and the pieces it met first. */
  output(): Output {
    return { segment: this.out.buffers(), pieces: this.engine.newPieces() };
  }

  /** A successor's slot: its representative and portable fingerprint (the engine canonicalises once for both). */
  private slotOf(w: World): number {
    this.reps.push(this.engine.canonical(w));
    this.engine.portableFingerprint(w, this.scratch);
    this.fps.push(this.scratch[0], this.scratch[1]);
    return this.reps.length - 1;
  }

  /** The record of a slot's state into `rec`: its fingerprint, queue length and piece words. */
  private writeRecord(slot: number): void {
    const r = this.rec;
    const w = this.reps[slot];
    r.length = 0;
    r.push(this.fps[2 * slot], this.fps[2 * slot + 1], w.queue.length);
    this.engine.pieceWords(w, r);
  }

  onCoordinator(m: ToWorker): void {
    if (m.t === 'expand') this.expandLevel(m);
    else if (m.t === 'insert') this.insertKept(m.depth, m.table);
    else {
      SharedTable.attach(m.from).copyStripe(SharedTable.attach(m.to), this.index, this.count);
      this.post({ t: 'rehashed' });
    }
  }

  /** Any throw ends the run through the coordinator, in one line (a worker never dies silently). */
  run(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.post({ t: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  }

  private expandLevel(m: Extract<ToWorker, { t: 'expand' }>): void {
    const { depth } = m;
    const c = this.task.crashAt;
    if (c && c.worker === this.index && c.depth === depth) throw new Error(`worker ${this.index} crashed at level ${depth} (test hook)`);
    if (m.table) this.table = SharedTable.attach(m.table);
    this.engine.learnPieces(m.pieces);
    this.table.share(this.count);
    this.full = false;
    this.out = this.writers[(depth + 1) & 1];
    this.out.clear();
    const tally: Tally = { found: null, expanded: 0, transitions: 0 };
    const level = new LevelReader(m.level);
    const expand = (i: number) => {
      level.locate(i);
      const { words, at } = level;
      this.expandOne(this.engine.fromPieceWords(words, at + HEAD, words[at + 2]), words[at], words[at + 1], depth, tally);
      if (++tally.expanded % CHUNK_REPORT === 0) this.report();
    };
    if (m.range) for (let i = m.range[0]; i < m.range[1]; i++) expand(i);
    else {
      // Claims of a sixteenth of a worker's share of what is left, at most 64: the level's end finds no worker with many states to go.
      for (;;) {
        const left = level.size - Atomics.load(this.cursor, 0);
        if (left <= 0) break;
        const chunk = Math.max(1, Math.min(64, Math.floor(left / (16 * this.count))));
        const from = Atomics.add(this.cursor, 0, chunk);
        for (let i = from; i < Math.min(level.size, from + chunk); i++) expand(i);
      }
    }
    this.table.settle();
    const engine = { xstateTransitions: this.engine.transitionsComputed, ...this.engine.dictionarySizes() };
    this.post({ t: 'expanded', ...tally, kept: this.keptStarts.length, engine, ...this.output() });
  }

  private report(): void {
    if (performance.now() - this.lastReport < REPORT_MS) return;
    this.lastReport = performance.now();
    // The coordinator reads the shared count for --max-states every 50 ms: it must not wait for the level's end.
    this.table.publish();
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
    this.fps.length = 0;
    this.reps.length = 0;
    const key = (w: World) => this.slotOf(w);
    const plan = planExpansion(sys, world, enabled, { por: this.task.por, key });
    const f = this.fps;
    // Reached at depth ≤ d (final while level d is expanded): the proviso's question, and a successor with nothing to record.
    const old = (slot: number) => {
      const at = this.table.depthOf(f[2 * slot], f[2 * slot + 1]);
      return at >= 0 && at <= depth;
    };
    const answers = plan.queries.map(old);
    const next = finishExpansion(sys, plan, answers, key);
    tally.transitions += next.length;
    for (const s of next) if (!old(s.key)) this.record(s.key, h, l, depth + 1);
  }

  /** Insert a successor at `depth` (or keep it for the barrier if the table is too full); a state inserted first joins the next level. */
  private record(slot: number, ph: number, pl: number, depth: number): void {
    const got = this.full ? 'full' : this.table.insert(this.fps[2 * slot], this.fps[2 * slot + 1], ph, pl, depth);
    if (got === 'old') return;
    this.writeRecord(slot);
    if (got === 'new') this.out.push(this.rec, 0, this.rec.length);
    else {
      this.full = true;
      this.keptStarts.push(this.kept.length);
      this.kept.push(ph, pl, ...this.rec);
    }
  }

  /** At the barrier, into the grown table: the successors kept while it was too full. */
  private insertKept(depth: number, grown: SharedTable['buffers']): void {
    this.table = SharedTable.attach(grown);
    const { kept: k, keptStarts: starts } = this;
    for (let i = 0; i < starts.length; i++) {
      const at = starts[i];
      const end = i + 1 < starts.length ? starts[i + 1] : k.length;
      const got = this.table.insert(k[at + 2], k[at + 3], k[at], k[at + 1], depth + 1);
      if (got === 'new') this.out.push(k, at + 2, end);
      else if (got === 'full') throw new Error('the shared table was grown too little for the kept successors');
    }
    k.length = 0;
    starts.length = 0;
    this.post({ t: 'inserted', ...this.output() });
  }
}

const data = workerData as BfsWorkerData;
let worker: BfsWorker | undefined;
try {
  worker = new BfsWorker(data);
  parentPort!.postMessage({ t: 'ready', ...worker.output() } satisfies FromWorker);
} catch (e) {
  parentPort!.postMessage({ t: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) } satisfies FromWorker);
}
parentPort!.on('message', (m: ToWorker) => worker?.run(() => worker!.onCoordinator(m)));
