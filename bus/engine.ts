/**
 * The pure, memoised semantics of a BusSpec: which steps are enabled in a state, what one step does,
 * and the canonical key of a state. The explorer drives this; it never creates an actor. XState's
 * pure `transition` is called once per (local state, event) and remembered, because it is the
 * slowest thing in the loop (about 80k calls/s).
 */
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { InternalError } from '../util/errors';
import { stableStringify } from '../util/stable';
import { firstViolation } from './check';
import { deliverable, type Deliverable } from './deliverable';
import { decodeWorld, encodeWorld, type World } from './key';
import type { BusEvent, BusSpec, Invariant, SendEffect, WorldView } from './spec';

export type { World } from './key';

/** One thing the scheduler may deliver next. */
export type Step = Deliverable;

/** A delivery as it happened: the enriched event, for traces. */
export interface Delivery {
  readonly from: number;
  readonly to: number;
  readonly event: BusEvent;
}

export interface Violation {
  readonly invariant: string;
  readonly message: string;
}

interface Message {
  readonly from: number;
  readonly to: number;
  readonly event: BusEvent;
  readonly eventKey: string;
}

interface Local {
  readonly snapshots: AnyMachineSnapshot[];
  readonly codes: Map<string, number>;
  /** Per local-state code: event key → result. */
  readonly transitions: Map<string, { next: number; emitted: readonly BusEvent[] }>[];
}

export interface EngineOptions {
  /** Canonicalise over interchangeable actors (ActorDecl.symmetry). */
  readonly symmetry?: boolean;
}

const eventKeys = new WeakMap<object, string>();
export function eventKey(e: BusEvent): string {
  let k = eventKeys.get(e);
  if (k === undefined) {
    k = stableStringify(e);
    eventKeys.set(e, k);
  }
  return k;
}

export class Engine<G> {
  readonly spec: BusSpec<G>;
  readonly symmetry: boolean;
  /** Symmetry classes of two or more actor indices. */
  readonly classes: readonly (readonly number[])[];
  private readonly machineOf: number[] = [];
  private readonly locals: Local[] = [];
  private readonly globals: G[] = [];
  private readonly globalCodes = new Map<string, number>();
  private readonly writes = new Map<string, number>();
  private readonly messages: Message[] = [];
  private readonly messageCodes = new Map<string, number>();
  private readonly offerMemo = new Map<string, readonly BusEvent[]>();
  /** Per actor, per local-state code: the per-actor safety violations of that local state (null: none). */
  private readonly actorChecks: (readonly Violation[] | null)[][] = [];
  private readonly actorInvariants: readonly Invariant<G>[];
  private readonly globalInvariants: readonly Invariant<G>[];
  private readonly indexById = new Map<string, number>();
  private readonly initialWorld: World;
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
        m = machines.push(a.machine) - 1;
        this.locals.push({ snapshots: [], codes: new Map(), transitions: [] });
      }
      this.machineOf.push(m);
    });
    // Local-state codes are per machine, so only actors running the same machine object can be swapped.
    const byClass = new Map<string, number[]>();
    spec.actors.forEach((a, i) => {
      if (a.symmetry === undefined) return;
      const k = `${a.symmetry}\u0000${this.machineOf[i]}`;
      const c = byClass.get(k) ?? [];
      c.push(i);
      byClass.set(k, c);
    });
    this.classes = [...byClass.values()].filter((c) => c.length > 1);
    const locals = spec.actors.map((a, i) => {
      const [snap] = initialTransition(a.machine, a.input);
      return this.internLocal(i, snap);
    });
    this.initialWorld = { locals, global: this.internGlobal(spec.initialGlobal), queue: [] };
    this.actorInvariants = spec.invariants.filter((i) => i.kind === 'safety' && i.checkActor);
    this.globalInvariants = spec.invariants.filter((i) => i.kind === 'safety' && i.check);
    spec.actors.forEach(() => this.actorChecks.push([]));
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
    return this.locals[this.machineOf[actor]].snapshots[world.locals[actor]];
  }

  global(world: World): G {
    return this.globals[world.global];
  }

  indexOf(id: string): number {
    const i = this.indexById.get(id);
    if (i === undefined) throw new InternalError(`no actor "${id}"`);
    return i;
  }

  view(world: World): WorldView<G> {
    return {
      actors: this.spec.actors,
      global: this.globals[world.global],
      snapshot: (a) => this.snapshot(world, a),
      indexOf: (id) => this.indexOf(id),
      pendingFor: (a) =>
        world.queue.map((c) => this.messages[c]).filter((m) => m.to === a).map((m) => ({ from: m.from, event: m.event })),
    };
  }

  /** Every step the scheduler may take (bus/deliverable.ts). */
  enabled(world: World): Step[] {
    const view = this.view(world);
    return deliverable(this.actorCount, world.queue.map((c) => this.messages[c]), (a) => this.offers(world, view, a));
  }

  private offers(world: World, view: WorldView<G>, a: number): readonly BusEvent[] {
    if (this.spec.actors[a].offersScope !== 'self') return this.spec.offers(view, a);
    const k = `${a}|${world.locals[a]}|${world.global}`;
    let o = this.offerMemo.get(k);
    if (o === undefined) {
      o = this.spec.offers(view, a);
      this.offerMemo.set(k, o);
    }
    return o;
  }

  /** Deliver one step; `record` receives every delivery it caused (sync sends included). */
  apply(world: World, step: Step, record?: Delivery[]): World {
    const locals = world.locals.slice();
    const queue = step.queueIndex >= 0 ? world.queue.filter((_, i) => i !== step.queueIndex) : world.queue.slice();
    const state = { locals, global: world.global, queue };
    this.deliver(state, step.from, step.actor, step.event, record);
    return state;
  }

  private deliver(state: { locals: number[]; global: number; queue: number[] }, from: number, to: number, event: BusEvent, record?: Delivery[]): void {
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
    const memo = (local.transitions[code] ??= new Map());
    let r = memo.get(k);
    if (r === undefined) {
      this.transitionsComputed++;
      const [snap, actions] = transition(this.spec.actors[actor].machine, local.snapshots[code], event as never);
      if (snap.status === 'error') throw new InternalError(`${this.spec.actors[actor].id} failed on ${event.type}: ${String((snap as { error?: unknown }).error)}`);
      const emitted = (actions as readonly { type: string; params?: unknown }[])
        .filter((x) => x.type === 'xstate.emit')
        .map((x) => (x.params as { event: BusEvent }).event);
      r = { next: this.internLocal(actor, snap), emitted };
      memo.set(k, r);
    }
    return r;
  }

  private write(global: number, effect: BusEvent, actor: number): number {
    const k = global + '\u0000' + actor + '\u0000' + eventKey(effect);
    let g = this.writes.get(k);
    if (g === undefined) {
      g = this.internGlobal(this.spec.write(this.globals[global], effect, actor));
      this.writes.set(k, g);
    }
    return g;
  }

  private internLocal(actor: number, snap: AnyMachineSnapshot): number {
    const local = this.locals[this.machineOf[actor]];
    const k = stableStringify([snap.value, snap.context]);
    let c = local.codes.get(k);
    if (c === undefined) {
      c = local.snapshots.push(snap) - 1;
      local.codes.set(k, c);
    }
    return c;
  }

  private internGlobal(g: G): number {
    const k = this.spec.globalKey(g);
    let c = this.globalCodes.get(k);
    if (c === undefined) {
      c = this.globals.push(g) - 1;
      this.globalCodes.set(k, c);
    }
    return c;
  }

  private internMessage(from: number, to: number, event: BusEvent): number {
    const ek = eventKey(event);
    const k = `${from}|${to}|${ek}`;
    let c = this.messageCodes.get(k);
    if (c === undefined) {
      c = this.messages.push({ from, to, event, eventKey: ek }) - 1;
      this.messageCodes.set(k, c);
    }
    return c;
  }

  /** The canonical key: messages in channel order and, with symmetry, interchangeable actors sorted by what they hold. */
  key(world: World): string {
    return encodeWorld(this.canonical(world));
  }

  decode(key: string): World {
    return decodeWorld(key, this.actorCount);
  }

  /**
   * Permute each symmetry class so that its members appear sorted by (local state, messages they send and
   * receive); messages are renamed with them. Ties are members with equal local state and equal
   * messages, so any order among them gives the same key.
   */
  canonical(world: World): World {
    const perm = world.locals.map((_, i) => i); // perm[newIndex] = oldIndex
    let moved = false;
    for (const cls of this.symmetry ? this.classes : []) {
      const sig = (i: number): string => {
        let s = String.fromCharCode(world.locals[i] + 1);
        if (world.queue.length) {
          const ms: string[] = [];
          for (const c of world.queue) {
            const m = this.messages[c];
            if (m.to === i) ms.push('<' + (cls.includes(m.from) ? '*' : m.from) + m.eventKey);
            else if (m.from === i) ms.push('>' + (cls.includes(m.to) ? '*' : m.to) + m.eventKey);
          }
          s += ms.sort().join('\u0001');
        }
        return s;
      };
      const sigs = new Map(cls.map((i) => [i, sig(i)]));
      const sorted = [...cls].sort((a, b) => (sigs.get(a)! < sigs.get(b)! ? -1 : sigs.get(a)! > sigs.get(b)! ? 1 : a - b));
      cls.forEach((pos, k) => {
        perm[pos] = sorted[k];
        if (sorted[k] !== pos) moved = true;
      });
    }
    if (!moved && world.queue.length < 2) return world;
    const inv: number[] = [];
    perm.forEach((old, nu) => (inv[old] = nu));
    const locals = moved ? perm.map((old) => world.locals[old]) : world.locals;
    const queue = moved
      ? world.queue.map((c) => {
          const m = this.messages[c];
          return this.internMessage(inv[m.from], inv[m.to], m.event);
        })
      : world.queue;
    // Channels are FIFO per (from, to); the order between channels carries no meaning.
    const order = queue.map((c, i) => ({ c, i, m: this.messages[c] }));
    order.sort((x, y) => x.m.from - y.m.from || x.m.to - y.m.to || x.i - y.i);
    return { locals, global: world.global, queue: order.map((o) => o.c) };
  }

  /**
   * A persistent subset of `steps` (enabled in `world`): the steps of the first actor the spec declares
   * independent, or all of them.
   */
  ample(world: World, steps: readonly Step[]): readonly Step[] {
    const independent = this.spec.independent;
    if (!independent || steps.length < 2) return steps;
    const view = this.view(world);
    let tried = -1;
    for (const st of steps) {
      if (st.actor === tried) continue;
      tried = st.actor;
      if (independent(view, st.actor)) {
        const mine = steps.filter((s) => s.actor === st.actor);
        if (mine.length < steps.length) return mine;
        return steps;
      }
    }
    return steps;
  }

  /** The first violated safety invariant (in spec order), or null. */
  violation(world: World): Violation | null {
    let found: Violation[] | null = null;
    for (let a = 0; a < world.locals.length; a++) {
      const memo = this.actorChecks[a];
      const code = world.locals[a];
      let v = memo[code];
      if (v === undefined) {
        const view = this.view(world);
        const snap = this.snapshot(world, a);
        const list: Violation[] = [];
        for (const inv of this.actorInvariants) {
          const msg = inv.checkActor!(a, snap, view);
          if (msg !== null) list.push({ invariant: inv.id, message: msg });
        }
        v = memo[code] = list.length ? list : null;
      }
      if (v) (found ??= []).push(...v);
    }
    if (this.globalInvariants.length) {
      const view = this.view(world);
      for (const inv of this.globalInvariants) {
        const msg = inv.check!(view);
        if (msg !== null) (found ??= []).push({ invariant: inv.id, message: msg });
      }
    }
    if (!found) return null;
    const order = this.spec.invariants.map((i) => i.id);
    return found.reduce((best, v) => (order.indexOf(v.invariant) < order.indexOf(best.invariant) ? v : best));
  }

  /** The first violated quiescence invariant of a state with no enabled step, or null. */
  quiescentViolation(world: World): Violation | null {
    return firstViolation(this.spec.invariants, this.view(world), ['quiescent']);
  }

  /** Sizes of the dictionaries a key needs, for stats. */
  dictionarySizes(): { localStates: number; memories: number; messages: number } {
    return {
      localStates: this.locals.reduce((n, l) => n + l.snapshots.length, 0),
      memories: this.globals.length,
      messages: this.messages.length,
    };
  }
}
