/**
 * A worker thread of the level-synchronous bfs (api/bfs-threads.ts starts it). It rebuilds the HYP system from
 * plain data and shares one visited set with the other workers (explore/shared-table.ts). Per level: phase one
 * expands its frontier with the shared per-state semantics (explore/level-sync.ts), reading the table for the
 * cycle proviso and keeping each successor's local key and portable fingerprint; phase two inserts them, and
 * the ones it inserted first are its next frontier. States never move, except when the coordinator evens out
 * uneven frontiers: then their portable keys travel and are rebuilt (api/portable-decode.ts).
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { Engine } from '../bus/engine';
import type { World } from '../bus/key';
import { finishExpansion, planExpansion, preferFound } from '../explore/level-sync';
import { SharedTable } from '../explore/shared-table';
import type { BfsTask, BfsWorkerData, FoundMsg, FromWorker, Moved, ToWorker } from './bfs-protocol';
import { PortableDecoder } from './portable-decode';
import { system } from './system';

/** States expanded between two looks at the clock (for heap reports). */
const CHUNK = 256;
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
}

class BfsWorker {
  private readonly engine: Engine<unknown>;
  private table: SharedTable;
  private frontier = new States();
  private spare = new States();
  /** Phase one's successors: local keys, and (h, l, parent h, parent l) per successor. */
  private keptKeys: string[] = [];
  private keptFps: number[] = [];
  private readonly scratch = new Uint32Array(2);
  private decoder: PortableDecoder | null = null;
  /** The successors of the state being expanded, and their portable fingerprints (h at 2i, l at 2i + 1): a few, so scanned. */
  private readonly fpWorlds: World[] = [];
  private readonly fpWords: number[] = [];
  private lastReport = 0;

  constructor(
    private readonly task: BfsTask,
    private readonly index: number,
    data: BfsWorkerData,
  ) {
    this.engine = system(task.config).engine({ symmetry: task.symmetry });
    this.table = SharedTable.attach(data.table);
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

  onCoordinator(m: ToWorker): void {
    if (m.t === 'expand') this.expandLevel(m.depth);
    else if (m.t === 'insert') this.insertLevel(m.depth, m.table);
    else if (m.t === 'give') this.give(m.count);
    else this.take(m.moved);
  }

  /** Any throw ends the run through the coordinator, in one line (a worker never dies silently). */
  run(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.post({ t: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  }

  private expandLevel(depth: number): void {
    const c = this.task.crashAt;
    if (c && c.worker === this.index && c.depth === depth) throw new Error(`worker ${this.index} crashed at level ${depth} (test hook)`);
    let found: FoundMsg | null = null;
    let transitions = 0;
    const { keys, fps } = this.frontier;
    for (let i = 0; i < keys.length; i++) {
      const r = this.expandOne(keys[i], fps[2 * i], fps[2 * i + 1], depth);
      if (typeof r === 'number') transitions += r;
      else found = preferFound(found ?? undefined, r);
      if (i % CHUNK === CHUNK - 1 && performance.now() - this.lastReport > REPORT_MS) {
        this.lastReport = performance.now();
        this.post({ t: 'progress', heapMB: Math.round(getHeapStatistics().used_heap_size / 1048576) });
      }
    }
    this.post({ t: 'expanded', found, transitions, kept: this.keptKeys.length });
  }

  /** Expand one state of level `depth`: its transitions, or the violation it shows. */
  private expandOne(local: string, h: number, l: number, depth: number): number | FoundMsg {
    const sys = this.engine;
    const world = sys.decode(local);
    const found = (v: { invariant: string; message: string }): FoundMsg => ({ depth, key: sys.portableKey(world), h, l, ...v });
    const v = sys.violation(world);
    // A state breaking a safety invariant is where a counterexample ends: not expanded (as the one-thread search).
    if (v) return found(v);
    const enabled = sys.enabled(world);
    const q = enabled.length === 0 ? sys.quiescentViolation(world) : null;
    if (q) return found(q);
    if (this.task.maxDepth !== undefined && depth >= this.task.maxDepth) return 0;
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
    for (const s of next) {
      if (old(s.world)) continue;
      const i = this.fpWorlds.indexOf(s.world);
      this.keptKeys.push(s.key);
      this.keptFps.push(f[2 * i], f[2 * i + 1], h, l);
    }
    return next.length;
  }

  private insertLevel(depth: number, grown: BfsWorkerData['table'] | undefined): void {
    if (grown) this.table = SharedTable.attach(grown);
    // Last level's frontier arrays are reused for the next (fewer large arrays for the collector).
    const next = this.spare;
    next.keys.length = 0;
    next.fps.length = 0;
    const { keptKeys: keys, keptFps: f } = this;
    for (let i = 0; i < keys.length; i++)
      if (this.table.insert(f[4 * i], f[4 * i + 1], f[4 * i + 2], f[4 * i + 3], depth + 1) === 'new') next.push(keys[i], f[4 * i], f[4 * i + 1]);
    keys.length = 0;
    f.length = 0;
    this.spare = this.frontier;
    this.frontier = next;
    const engine = { xstateTransitions: this.engine.transitionsComputed, ...this.engine.dictionarySizes() };
    this.post({ t: 'inserted', frontier: next.keys.length, engine });
  }

  /** Hand the last `count` frontier states over by portable key (the coordinator evens frontiers out). */
  private give(count: number): void {
    const { keys, fps } = this.frontier;
    const from = keys.length - count;
    const moved: Moved = { fps: Uint32Array.from(fps.slice(2 * from)), keys: keys.slice(from).map((k) => this.engine.portableKey(this.engine.decode(k))) };
    keys.length = from;
    fps.length = 2 * from;
    this.post({ t: 'gave', moved });
  }

  private take(moved: Moved): void {
    this.decoder ??= new PortableDecoder(this.engine, this.engine.actorCount);
    for (const [i, p] of moved.keys.entries()) this.frontier.push(this.engine.key(this.decoder.decode(p)), moved.fps[2 * i], moved.fps[2 * i + 1]);
    this.post({ t: 'took' });
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
