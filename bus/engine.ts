/**
 * The pure, memoised semantics of a BusSpec, as the explorer's `Checkable`: which steps are enabled in a
 * state, what one step does, the canonical key of a state and its invariants. It never creates an actor.
 * XState's pure `transition` is called once per (local state, event) and remembered, because it is the
 * slowest thing in the loop (about 80k calls/s). The ideas it combines live in their own files: the XState
 * adapter (xstate-adapter.ts), dictionaries (intern.ts), keys (key.ts), symmetry (symmetry.ts), the
 * partial-order reduction (por.ts) and the invariant evaluator (check.ts).
 */
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import type { Checkable } from '../explore/checkable';
import { fingerprint, fp } from '../explore/fingerprint';
import { InputError, InternalError } from '../util/errors';
import { actorViolations, allChecks, firstViolation, type Violation } from './check';
import { deliverable, deliverableFrom, type Deliverable } from './deliverable';
import { eventKey } from './event-key';
import { Interner } from './intern';
import { decodeWorld, encodeWorld, type World } from './key';
import { ample, type Footprint, type PorHost } from './por';
import { PortableCodec, type PieceText } from './portable-codec';
import { sameState } from './same-state';
import type { ActorDecl, BusEvent, BusSpec, InvariantReads, SendEffect, WorldView } from './spec';
import { Symmetry } from './symmetry';
import { initialSnapshot, localKey, refuseUnsupported, step as xstep } from './xstate-adapter';

export type { World } from './key';
export type { Violation } from './check';
export { eventKey } from './event-key';

/** One thing the scheduler may deliver next. */
export type Step = Deliverable;

/** A delivery as it happened: the enriched event, for traces. */
export interface Delivery {
  readonly from: number;
  readonly to: number;
  readonly event: BusEvent;
}

interface Message {
  readonly from: number;
  readonly to: number;
  readonly event: BusEvent;
  readonly eventKey: string;
}

interface Local {
  readonly states: Interner<AnyMachineSnapshot>;
  /** Per local-state code: event key → result. */
  readonly transitions: Map<string, { next: number; emitted: readonly BusEvent[] }>[];
  /** Per local-state code: a 4-unit hash of its content, which orders actors in the canonical form. */
  readonly tags: string[];
}

export interface EngineOptions {
  /** Canonicalise over interchangeable actors (ActorDecl.symmetry). */
  readonly symmetry?: boolean;
}

interface Mutable {
  locals: number[];
  global: number;
  queue: number[];
}

export class Engine<G> implements Checkable<World> {
  readonly spec: BusSpec<G>;
  readonly symmetry: boolean;
  /** Symmetry classes of two or more actor indices. */
  readonly classes: readonly (readonly number[])[];
  private readonly machineOf: number[] = [];
  private readonly locals: Local[] = [];
  private readonly globals = new Interner<G>();
  private readonly writes = new Map<string, number>();
  private readonly messages = new Interner<Message>();
  /** Per actor, per local-state code, per memory code: the actor's offers (offersScope 'self'). */
  private readonly offerMemo: Map<number, readonly BusEvent[]>[][] = [];
  /** Per message code: sender * actorCount + receiver → the same event renamed. */
  private readonly renames: Map<number, number>[] = [];
  /** Per actor, per local-state code: its `checkActor` violations (null: none). */
  private readonly actorChecks: (readonly Violation[] | null)[][] = [];
  private readonly indexById = new Map<string, number>();
  private readonly initialWorld: World;
  private readonly sym: Symmetry;
  private readonly por: PorHost<World, G>;
  private readonly portable: PortableCodec;
  /** The last state canonicalised and its representative (states are never changed once made). */
  private lastWorld: World | null = null;
  private lastCanonical: World = { locals: [], global: 0, queue: [] };
  /** XState transitions actually computed (the rest came from the memo). */
  transitionsComputed = 0;

  constructor(spec: BusSpec<G>, options: EngineOptions = {}) {
    this.spec = spec;
    this.symmetry = options.symmetry ?? true;
    const machines: AnyStateMachine[] = [];
    spec.actors.forEach((a, i) => {
      this.indexById.set(a.id, i);
      let m = machines.indexOf(a.machine);
      if (m < 0) {
        refuseUnsupported(a.id, a.machine);
        m = machines.push(a.machine) - 1;
        this.locals.push({ states: new Interner(), transitions: [], tags: [] });
      }
      this.machineOf.push(m);
      this.actorChecks.push([]);
    });
    this.classes = symmetryClasses(spec, this.machineOf);
    this.sym = new Symmetry(
      spec.actors.length,
      this.symmetry ? this.classes : [],
      (c) => this.messages.values[c],
      (c, from, to) => this.renamed(c, from, to),
      { tag: (a, c) => this.tag(a, c), compare: (a, x, y) => compareText(this.localTexts(a)[x], this.localTexts(a)[y]) },
    );
    const locals = spec.actors.map((a, i) => this.internLocal(i, initialSnapshot(a.id, a.machine, a.input)));
    this.initialWorld = { locals, global: this.internGlobal(spec.initialGlobal), queue: [] };
    this.portable = new PortableCodec({
      actorCount: spec.actors.length,
      actorId: (a) => this.actorId(a),
      machine: (a) => spec.actors[a].machine,
      localStates: (a) => this.locals[this.machineOf[a]].states,
      internLocal: (a, snap) => this.internLocal(a, snap),
      globalValue: (c) => this.globals.values[c],
      internGlobal: (g) => this.internGlobal(g as G),
      message: (c) => this.messages.values[c],
      internMessage: (from, to, event) => this.internMessage(from, to, event),
    });
    this.por = {
      independent: spec.independent?.bind(spec),
      footprints: spec.invariants.filter((i) => i.kind === 'safety' && i.check !== undefined).map((i) => this.footprint(i.reads)),
      changes: (before, after) => ({ memory: before.global !== after.global, messages: !sameQueue(before.queue, after.queue) }),
      view: (w) => this.view(w),
      enabledOf: (w, a) => deliverableFrom(a, w.queue, (c) => this.messages.values[c], this.offers(w, this.view(w), a)),
      apply: (w, s, r) => this.apply(w, s, r as Delivery[] | undefined),
      same: (x, y) => sameState(x, y, (c) => this.messages.values[c]),
    };
  }

  /** What an invariant's declared `reads` covers, in actor indices (an unknown id is an input error). */
  private footprint(reads: InvariantReads | undefined): Footprint {
    if (!reads) return { actors: null, memory: true, messages: true };
    const actors = new Set(
      (reads.actors ?? []).map((id) => {
        const i = this.indexById.get(id);
        if (i === undefined) throw new InputError(`an invariant's reads names actor "${id}", which is not in the spec`);
        return i;
      }),
    );
    return { actors, memory: reads.memory === true, messages: reads.messages === true };
  }

  get actorCount(): number {
    return this.spec.actors.length;
  }

  get acyclic(): boolean {
    return this.spec.acyclic === true;
  }

  get readFields(): readonly string[] {
    return this.spec.readFields ?? [];
  }

  actorId(actor: number): string {
    return this.spec.actors[actor].id;
  }

  initial(): World {
    return this.initialWorld;
  }

  snapshot(world: World, actor: number): AnyMachineSnapshot {
    return this.locals[this.machineOf[actor]].states.values[world.locals[actor]];
  }

  global(world: World): G {
    return this.globals.values[world.global];
  }

  indexOf(id: string): number {
    const i = this.indexById.get(id);
    if (i === undefined) throw new InternalError(`no actor "${id}"`);
    return i;
  }

  /** Read access to a state (one object, no closures: this runs several times a transition). */
  view(world: World): WorldView<G> {
    return new EngineView(this, world);
  }

  /** Messages waiting for `actor` in `world`, oldest first. */
  pendingFor(world: World, actor: number): { from: number; event: BusEvent }[] {
    return world.queue
      .map((c) => this.messages.values[c])
      .filter((m) => m.to === actor)
      .map((m) => ({ from: m.from, event: m.event }));
  }

  /** Every step the scheduler may take (bus/deliverable.ts). */
  enabled(world: World): Step[] {
    const view = this.view(world);
    return deliverable(
      this.actorCount,
      world.queue.map((c) => this.messages.values[c]),
      (a) => this.offers(world, view, a),
    );
  }

  private offers(world: World, view: WorldView<G>, a: number): readonly BusEvent[] {
    if (this.spec.actors[a].offersScope !== 'self') return this.spec.offers(view, a);
    this.offerMemo[a] ??= [];
    const byCode = this.offerMemo[a];
    byCode[world.locals[a]] ??= new Map();
    const memo = byCode[world.locals[a]];
    let o = memo.get(world.global);
    if (o === undefined) {
      o = this.spec.offers(view, a);
      memo.set(world.global, o);
    }
    return o;
  }

  /** Deliver one step; `record` receives every delivery it caused (sync sends included). */
  apply(world: World, step: Step, record?: Delivery[]): World {
    const locals = world.locals.slice();
    const queue = world.queue.slice();
    if (step.queueIndex >= 0) queue.splice(step.queueIndex, 1);
    const state = { locals, global: world.global, queue };
    this.deliver(state, step.from, step.actor, step.event, record);
    return state;
  }

  private deliver(state: Mutable, from: number, to: number, event: BusEvent, record?: Delivery[]): void {
    const enriched = this.spec.enrich ? this.spec.enrich(this.view(state), to, event, from) : event;
    record?.push({ from, to, event: enriched });
    const { next, emitted } = this.transition(to, state.locals[to], enriched);
    state.locals[to] = next;
    for (const e of emitted) {
      if (e.type === 'bus.send') {
        const s = e as SendEffect;
        const target = this.indexOf(s.to);
        if (s.sync) this.deliver(state, to, target, s.event, record);
        else state.queue.push(this.internMessage(to, target, s.event));
      } else {
        state.global = this.write(state.global, e, to);
      }
    }
  }

  private transition(actor: number, code: number, event: BusEvent): { next: number; emitted: readonly BusEvent[] } {
    const local = this.locals[this.machineOf[actor]];
    const k = eventKey(event);
    local.transitions[code] ??= new Map();
    const memo = local.transitions[code];
    let r = memo.get(k);
    if (r === undefined) {
      this.transitionsComputed++;
      const a = this.spec.actors[actor];
      const { snap, emitted } = xstep(a.id, a.machine, local.states.values[code], event);
      r = { next: this.internLocal(actor, snap), emitted };
      memo.set(k, r);
    }
    return r;
  }

  private write(global: number, effect: BusEvent, actor: number): number {
    const k = `${global}\u0000${actor}\u0000${eventKey(effect)}`;
    let g = this.writes.get(k);
    if (g === undefined) {
      g = this.internGlobal(this.spec.write(this.globals.values[global], effect, actor));
      this.writes.set(k, g);
    }
    return g;
  }

  private internLocal(actor: number, snap: AnyMachineSnapshot): number {
    return this.locals[this.machineOf[actor]].states.intern(localKey(snap), () => snap);
  }

  private internGlobal(g: G): number {
    return this.globals.intern(this.spec.globalKey(g), () => g);
  }

  /** Message `c` with another sender and receiver (symmetry renames them), memoised per code without building keys. */
  private renamed(c: number, from: number, to: number): number {
    this.renames[c] ??= new Map();
    const memo = this.renames[c];
    const k = from * this.actorCount + to;
    let r = memo.get(k);
    if (r === undefined) {
      r = this.internMessage(from, to, this.messages.values[c].event);
      memo.set(k, r);
    }
    return r;
  }

  private internMessage(from: number, to: number, event: BusEvent): number {
    const ek = eventKey(event);
    return this.messages.intern(`${from}|${to}|${ek}`, () => ({ from, to, event, eventKey: ek }));
  }

  private localTexts(actor: number): readonly string[] {
    return this.locals[this.machineOf[actor]].states.keys;
  }

  /** The content hash of a local state (memoised per code): the first thing actors are ordered by. */
  private tag(actor: number, code: number): string {
    const local = this.locals[this.machineOf[actor]];
    let t = local.tags[code];
    if (t === undefined) {
      fingerprint(local.states.keys[code]);
      t = local.tags[code] = String.fromCharCode(fp[0] >>> 16, fp[0] & 0xffff, fp[1] >>> 16, fp[1] & 0xffff, 4);
    }
    return t;
  }

  /** The state's orbit named by content alone (bus/portable-codec.ts): equal in every process that built this system. */
  portableKey(world: World): string {
    return this.portable.encode(this.canonical(world));
  }

  /** The portable key's 64-bit fingerprint into `out` ([hi, lo]) without building the key (bus/portable-fingerprint.ts). */
  portableFingerprint(world: World, out: Uint32Array): void {
    this.portable.fingerprint(this.canonical(world), out);
  }

  /** The piece words of a representative (from `canonical`): a state other threads rebuild with `fromPieceWords`. */
  pieceWords(representative: World, out: number[]): void {
    this.portable.pieceWords(representative, out);
  }

  /** The state whose piece words (`portableFingerprint`'s `pieces`, with `queue` messages) start at `words[at]`. */
  fromPieceWords(words: Uint32Array, at: number, queue: number): World {
    return this.portable.fromPieceWords(words, at, queue);
  }

  /** Texts of the pieces this engine hashed since the last call, for other threads' `learnPieces`. */
  newPieces(): PieceText[] {
    return this.portable.newPieces();
  }

  learnPieces(pieces: readonly PieceText[]): void {
    this.portable.learnPieces(pieces);
  }

  /** The representative a portable key (from any process that built this system) stands for; codes are added as needed. */
  fromPortableKey(key: string): World {
    return this.portable.decode(key);
  }

  /** The canonical key: channels in a fixed order and, with symmetry, the orbit's representative. */
  key(world: World): string {
    return encodeWorld(this.canonical(world));
  }

  decode(key: string): World {
    return decodeWorld(key, this.actorCount);
  }

  /** The state with the actor at `perm[p]` moved to position p, messages renamed with them and channels sorted (no canonical form). */
  permute(world: World, perm: readonly number[]): World {
    return this.sym.permute(world, perm);
  }

  /** The representative of the state's orbit (bus/symmetry.ts). */
  canonical(world: World): World {
    // `key` then `portableKey` of one state (a parallel search wants both) canonicalise it once.
    if (world !== this.lastWorld) {
      this.lastCanonical = this.sym.canonical(world);
      this.lastWorld = world;
    }
    return this.lastCanonical;
  }

  /** A persistent, invisible subset of the enabled `steps` (bus/por.ts), or all of them. */
  ample(world: World, steps: readonly Step[]): readonly Step[] {
    return ample(this.por, world, steps);
  }

  /** The first violated safety invariant (in spec order), or null. */
  violation(world: World): Violation | null {
    return firstViolation(this.spec.invariants, this.view(world), ['safety'], (a) => this.actorCheck(world, a));
  }

  private actorCheck(world: World, a: number): readonly Violation[] | null {
    const memo = this.actorChecks[a];
    const code = world.locals[a];
    let v = memo[code];
    if (v === undefined) v = memo[code] = actorViolations(this.spec.invariants, a, this.snapshot(world, a), this.view(world));
    return v;
  }

  /** The first violated quiescence invariant of a state with no enabled step, or null. */
  quiescentViolation(world: World): Violation | null {
    return firstViolation(this.spec.invariants, this.view(world), ['quiescent']);
  }

  /** Every violated quiescence invariant (spec order). */
  quiescentViolations(world: World): readonly Violation[] {
    return allChecks(this.spec.invariants, this.view(world), ['quiescent']);
  }

  /** Sizes of the dictionaries a key needs, for stats. */
  dictionarySizes(): { localStates: number; memories: number; messages: number } {
    return {
      localStates: this.locals.reduce((n, l) => n + l.states.size, 0),
      memories: this.globals.size,
      messages: this.messages.size,
    };
  }
}

class EngineView<G> implements WorldView<G> {
  constructor(
    private readonly engine: Engine<G>,
    private readonly world: World,
  ) {}

  get actors(): readonly ActorDecl[] {
    return this.engine.spec.actors;
  }

  get global(): G {
    return this.engine.global(this.world);
  }

  snapshot(actor: number): AnyMachineSnapshot {
    return this.engine.snapshot(this.world, actor);
  }

  indexOf(id: string): number {
    return this.engine.indexOf(id);
  }

  pendingFor(actor: number): readonly { from: number; event: BusEvent }[] {
    return this.engine.pendingFor(this.world, actor);
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameQueue(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/** Actors of one symmetry class that run one machine object (local-state codes are per machine). */
function symmetryClasses<G>(spec: BusSpec<G>, machineOf: readonly number[]): number[][] {
  const byClass = new Map<string, number[]>();
  spec.actors.forEach((a, i) => {
    if (a.symmetry === undefined) return;
    const k = `${a.symmetry}\u0000${machineOf[i]}`;
    const c = byClass.get(k) ?? [];
    c.push(i);
    byClass.set(k, c);
  });
  return [...byClass.values()].filter((c) => c.length > 1);
}
