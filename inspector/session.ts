/**
 * What the inspector page shows, step by step, computed on the server: a trace is re-executed on the pure
 * engine (no symmetry) and every step yields a frame: each actor's state, what the system's model view
 * (actors/model-view.ts) draws of it (a CPU's registers and TLB, the page tables), else its context as
 * text, the deliveries and the timeline text (report/timeline.ts describeTrace). Values repeat a lot from one step
 * to the next, so frames hold indices into interned tables; a 2,000-step trace is a few MB of JSON.
 * A live run feeds the same builder as it goes and streams batches to the page.
 */
import type { AnyStateMachine } from 'xstate';
import type { CpuView, MemView, ModelView, Used } from '../actors/model-view';
import type { System } from '../api/system';
import { actorViolations } from '../bus/check';
import type { Engine, World } from '../bus/engine';
import type { ActorDecl } from '../bus/spec';
import type { TraceEntry } from '../bus/trace';
import type { Checkable } from '../explore/checkable';
import { Reexecution } from '../explore/reexecute';
import { profiles } from '../mmu/profile';
import { describeTrace, type TimelineLine } from '../report/timeline';
import { InternalError } from '../util/errors';
import { stableStringify } from '../util/stable';
import { renderDiagram } from './diagram';
import { pruneChart } from './prune';
import { chartsOf, leafPaths } from './statechart';

export type { CpuView, MemView, PgdView, TlbView, Used } from '../actors/model-view';

export interface OtherView {
  readonly kind: 'other';
  /** The actor's context, as compact text ('' when it has none). */
  readonly text: string;
}

export interface FrameLine {
  readonly actor: string;
  readonly from: string;
  readonly event: string;
  readonly text: string;
  readonly cite?: string;
}

export interface Frame {
  /** 0 for the initial state. */
  readonly step: number;
  /** Per actor: index into tables.states. */
  readonly s: number[];
  /** Per actor: index into tables.views. */
  readonly c: number[];
  /** Index into tables.mems. */
  readonly m: number;
  /** The deliveries of this step (the scheduler's choice first, then what it caused synchronously). */
  readonly d: TraceEntry[];
  /** The timeline text of this step. */
  l: FrameLine[];
  readonly used?: Used;
}

export interface Tables {
  states: string[];
  views: (CpuView | OtherView)[];
  mems: MemView[];
}

export interface ViolationInfo {
  readonly invariant: string;
  readonly message: string;
  /** The step that breaks it (the last step for a quiescence invariant). */
  readonly step: number;
  /** The actor whose state breaks it, when one does. */
  readonly actor: string | null;
}

export interface StaticInfo {
  readonly mode: 'trace' | 'live';
  /** Where the steps come from: a trace file, an explore counterexample, a live run. */
  readonly source: string;
  readonly title: string;
  readonly header: System['header'];
  readonly actors: readonly { readonly id: string; readonly kind: 'kernel' | 'cpu' | 'hotplug' | 'vm' | 'other'; readonly chart: number }[];
  readonly charts: readonly {
    readonly name: string;
    readonly actors: readonly string[];
    readonly svg: string;
    readonly width: number;
    readonly height: number;
    /** States left out of the diagram: no event of this system leads there (inspector/prune.ts). */
    readonly hidden: readonly string[];
    /** Why they are left out. */
    readonly hiddenWhy: string;
  }[];
  readonly profile: { readonly httbr: string; readonly hsctlr: string; readonly hvbar: string; readonly hsp: string; readonly tlbi: string };
  readonly invariants: readonly { readonly id: string; readonly description: string }[];
  readonly pages: readonly { readonly name: string; readonly va: string; readonly pa: string }[];
  /** What the trace file recorded, if any. */
  readonly recorded: { readonly invariant: string; readonly message: string } | null;
}

export interface SessionData {
  readonly static: StaticInfo;
  readonly tables: Tables;
  readonly frames: readonly Frame[];
  readonly done: boolean;
  readonly violation: ViolationInfo | null;
}

/** What a page already has; a batch brings it up to date. */
export interface Have {
  frames: number;
  states: number;
  views: number;
  mems: number;
}

export interface Batch {
  readonly type: 'batch';
  readonly from: Have;
  readonly frames: Frame[];
  readonly states: string[];
  readonly views: (CpuView | OtherView)[];
  readonly mems: MemView[];
  readonly done: boolean;
  readonly violation: ViolationInfo | null;
}

const kinds: readonly string[] = ['kernel', 'hotplug', 'cpu', 'vm'];

/** How the page draws an actor: by the role it was declared with (HYP systems), else as 'other'. */
function kindOf(a: ActorDecl): StaticInfo['actors'][number]['kind'] {
  const role = a.role ?? 'other';
  return kinds.includes(role) ? (role as StaticInfo['actors'][number]['kind']) : 'other';
}

/**
 * Re-executes deliveries on the pure engine and turns each state into a frame. `push` takes the trace
 * entries of one step; the first is the scheduler's choice (later ones were caused by it).
 */
export class FrameBuilder {
  readonly engine: Engine<unknown>;
  readonly tables: Tables = { states: [], views: [], mems: [] };
  readonly frames: Frame[] = [];
  readonly trace: TraceEntry[] = [];
  violation: ViolationInfo | null = null;
  private world: World;
  private readonly run: Reexecution<World>;
  private readonly machineIdx: number[];
  private readonly stateCodes = new Map<string, number>();
  private readonly viewCodes = new Map<string, number>();
  private readonly viewKeys = new Map<string, number>();
  private readonly memCodes = new Map<number, number>();
  /** What the model shows of its state (HYP systems); without it, every actor's context is text. */
  private readonly view: ModelView | undefined;

  constructor(readonly sys: System) {
    this.view = sys.view;
    this.engine = sys.engine({ symmetry: false });
    const machines: AnyStateMachine[] = [];
    this.machineIdx = sys.spec.actors.map((a) => {
      const i = machines.indexOf(a.machine);
      return i >= 0 ? i : machines.push(a.machine) - 1;
    });
    this.run = new Reexecution(this.engine, 'strict');
    this.world = this.run.world;
    this.frames.push(this.frame(0, [], undefined));
  }

  get checkable(): Checkable {
    return this.engine;
  }

  get currentWorld(): World {
    return this.world;
  }

  get steps(): number {
    return this.frames.length - 1;
  }

  /** Apply the step whose deliveries are `entries` (one step number); throws a TraceError if it does not fit. */
  push(entries: readonly TraceEntry[]): Frame {
    const entry = entries[0];
    const step = this.frames.length;
    // The one re-executor (explore/reexecute.ts), a step at a time, strict: the page shows only a faithful run.
    const done = this.run.step(entries);
    if (!done) throw new InternalError('a strict re-execution skipped a step');
    const before = done.before;
    this.world = done.after;
    this.trace.push(...entries);
    const f = this.frame(step, [...entries], this.usedBy(before, entry));
    this.frames.push(f);
    if (!this.violation) {
      const v = this.engine.violation(this.world);
      if (v) this.violation = { ...v, step, actor: this.culprit(v.invariant) };
    }
    return f;
  }

  /** At the end of a run: a quiescence invariant is checked if no step is left. */
  finish(): void {
    if (this.violation || this.engine.enabled(this.world).length) return;
    const v = this.engine.quiescentViolation(this.world);
    if (v) this.violation = { ...v, step: this.steps, actor: null };
  }

  private culprit(invariant: string): string | null {
    const inv = this.sys.spec.invariants.find((i) => i.id === invariant);
    if (!inv?.checkActor) return null;
    const view = this.engine.view(this.world);
    for (let a = 0; a < this.sys.spec.actors.length; a++)
      if (actorViolations([inv], a, this.engine.snapshot(this.world, a), view)) return this.sys.spec.actors[a].id;
    return null;
  }

  private usedBy(before: World, entry: TraceEntry): Used | undefined {
    if (!this.view || entry.to !== entry.from) return undefined;
    const a = this.engine.indexOf(entry.to);
    const used = this.view.used(a, entry.payload, this.engine.snapshot(before, a).context);
    return used && { cpu: entry.to, ...used };
  }

  private frame(step: number, d: TraceEntry[], used: Used | undefined): Frame {
    const w = this.world;
    const s: number[] = [];
    const c: number[] = [];
    for (let a = 0; a < w.locals.length; a++) {
      const local = `${this.machineIdx[a]}|${w.locals[a]}`;
      let si = this.stateCodes.get(local);
      if (si === undefined) {
        si = this.internState(leafPaths(this.engine.snapshot(w, a).value).join(','));
        this.stateCodes.set(local, si);
      }
      s.push(si);
      // A view the model draws reads shared memory too (a TLB entry is stale against the page tables).
      const drawn = this.view?.draws(a) ? this.view : undefined;
      const vk = drawn ? `${local}|${w.global}` : local;
      let vi = this.viewCodes.get(vk);
      if (vi === undefined) {
        const ctx = this.engine.snapshot(w, a).context;
        vi = this.internView(drawn ? drawn.cpuView(ctx, this.engine.global(w)) : otherView(ctx));
        this.viewCodes.set(vk, vi);
      }
      c.push(vi);
    }
    let m = this.memCodes.get(w.global);
    if (m === undefined) {
      m = this.tables.mems.push(this.memView(this.engine.global(w))) - 1;
      this.memCodes.set(w.global, m);
    }
    return { step, s, c, m, d, l: [], ...(used ? { used } : {}) };
  }

  private internState(name: string): number {
    const i = this.tables.states.indexOf(name);
    return i >= 0 ? i : this.tables.states.push(name) - 1;
  }

  private internView(v: CpuView | OtherView): number {
    const k = stableStringify(v);
    let i = this.viewKeys.get(k);
    if (i === undefined) {
      i = this.tables.views.push(v) - 1;
      this.viewKeys.set(k, i);
    }
    return i;
  }

  private memView(g: unknown): MemView {
    return this.view ? this.view.memoryView(g) : { pgds: [], flags: {} };
  }
}

function otherView(ctx: unknown): OtherView {
  if (ctx === undefined || ctx === null || (typeof ctx === 'object' && Object.keys(ctx as object).length === 0)) return { kind: 'other', text: '' };
  const text = Object.entries(ctx as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
  return { kind: 'other', text };
}

/** The trace's deliveries grouped by step number (each group is one step of the scheduler). */
export function groupSteps(trace: readonly TraceEntry[]): TraceEntry[][] {
  const out: TraceEntry[][] = [];
  let last = -1;
  for (const e of trace) {
    if (e.step !== last) out.push([]);
    out[out.length - 1].push(e);
    last = e.step;
  }
  return out;
}

function staticInfo(sys: System, mode: StaticInfo['mode'], source: string, title: string, recorded: StaticInfo['recorded']): StaticInfo {
  const charts = chartsOf(sys.spec.actors);
  const view = sys.view;
  // Without a model view, the register names default to ARMv7's (the page shows no CPU panel then).
  const { httbr, hsctlr, hvbar, hsp, tlbi } = view?.registers ?? profiles.armv7;
  const unsent = view?.unsent ?? { events: new Set<string>(), why: '' };
  // Where each actor starts: always drawn, whatever the pruning says.
  const engine = sys.engine({ symmetry: false });
  const w0 = engine.initial();
  const start = new Map(sys.spec.actors.map((a, i) => [a.id, leafPaths(engine.snapshot(w0, i).value)] as const));
  return {
    mode,
    source,
    title,
    header: sys.header,
    actors: sys.spec.actors.map((a) => ({ id: a.id, kind: kindOf(a), chart: charts.findIndex((c) => c.actors.includes(a.id)) })),
    charts: charts.map((c) => {
      const n = c.actors.length;
      const keep = c.actors.flatMap((id) => start.get(id) ?? []);
      const pruned = pruneChart(c.chart, unsent.events, keep);
      const d = renderDiagram(pruned.chart, n > 1 ? `${c.name} × ${n}` : c.actors[0]);
      const hiddenWhy = pruned.hidden.length ? unsent.why || 'no transition leads there' : '';
      return { name: c.name, actors: c.actors, svg: d.svg, width: d.width, height: d.height, hidden: pruned.hidden, hiddenWhy };
    }),
    profile: { httbr, hsctlr, hvbar, hsp, tlbi },
    invariants: sys.spec.invariants.map((i) => ({ id: i.id, description: i.description ?? '' })),
    pages: view?.pages ?? [],
    recorded,
  };
}

/**
 * A session: the static part of the page, the frames so far, and who to tell when more arrive. Frames
 * are published (sent to pages) once their timeline text is known.
 */
export class Session {
  readonly builder: FrameBuilder;
  private published = 1;
  private linesDone = 0;
  done = false;
  /** The run's own verdict, when it ends (a live run's outcome). */
  private final: ViolationInfo | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly sys: System,
    readonly info: StaticInfo,
  ) {
    this.builder = new FrameBuilder(sys);
  }

  get violation(): ViolationInfo | null {
    return this.builder.violation ?? this.final;
  }

  /** Fill in the timeline text of the frames that lack it and publish them. */
  describe(): void {
    const n = this.builder.frames.length;
    if (n - 1 > this.linesDone) {
      const lines: TimelineLine[] = describeTrace(this.sys, this.builder.trace);
      const byStep = new Map<number, FrameLine[]>();
      for (const l of lines) {
        const list = byStep.get(l.step) ?? [];
        list.push({ actor: l.actor, from: l.from, event: l.event, text: l.text, ...(l.cite ? { cite: l.cite } : {}) });
        byStep.set(l.step, list);
      }
      // Frame i holds trace step number frames[i].d[0].step.
      for (let i = this.linesDone + 1; i < n; i++) this.builder.frames[i].l = byStep.get(this.builder.frames[i].d[0].step) ?? [];
      this.linesDone = n - 1;
    }
    this.published = n;
    this.notify();
  }

  end(final?: { invariant: string; message: string } | null): void {
    this.builder.finish();
    if (!this.builder.violation && final) this.final = { ...final, step: this.builder.steps, actor: null };
    this.done = true;
    this.describe();
  }

  subscribe(f: () => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  private notify(): void {
    for (const f of this.listeners) f();
  }

  have(): Have {
    const t = this.builder.tables;
    return { frames: this.published, states: t.states.length, views: t.views.length, mems: t.mems.length };
  }

  data(): SessionData {
    const t = this.builder.tables;
    return {
      static: this.info,
      tables: { states: t.states.slice(), views: t.views.slice(), mems: t.mems.slice() },
      frames: this.builder.frames.slice(0, this.published),
      done: this.done,
      violation: this.violation,
    };
  }

  /** What a page that has `from` is missing. */
  since(from: Have): Batch {
    const t = this.builder.tables;
    return {
      type: 'batch',
      from,
      frames: this.builder.frames.slice(from.frames, this.published),
      states: t.states.slice(from.states),
      views: t.views.slice(from.views),
      mems: t.mems.slice(from.mems),
      done: this.done,
      violation: this.violation,
    };
  }
}

/** A session over a recorded trace (a trace file or an explore counterexample), every frame computed now. */
export function traceSession(sys: System, trace: readonly TraceEntry[], opts: { source: string; title: string; recorded?: StaticInfo['recorded'] }): Session {
  const s = new Session(sys, staticInfo(sys, 'trace', opts.source, opts.title, opts.recorded ?? null));
  for (const group of groupSteps(trace)) s.builder.push(group);
  s.end(null);
  return s;
}

/** An empty session a live run will feed (see inspector/live.ts). */
export function liveSessionShell(sys: System, opts: { source: string; title: string }): Session {
  return new Session(sys, staticInfo(sys, 'live', opts.source, opts.title, null));
}
