/**
 * A scenario as a Checkable: the product of a system with the scenario's automaton (which pinned steps
 * have happened, a bit set). Enabled steps are the system's, minus those the scenario holds back; a
 * state is the system's state plus the bit set, and so is its key (`<bits>|<system key>`), so the
 * explorer's visited set stays exact. The explorer itself is unchanged: it searches this product.
 *
 * Semantics: scenario/scenario.ts. Partial-order reduction: a persistent set of the system is kept only
 * if none of its steps is visible to the scenario (none matches a pinned step that has not happened);
 * otherwise the state is expanded fully.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { World } from '../bus/engine';
import type { Checkable, Delivery, Step, Violation } from '../explore/checkable';
import { WordHash } from '../bus/portable-fingerprint';
import { InternalError } from '../util/errors';
import { stableStringify } from '../util/stable';
import { describePinned } from './scenario';
import type { CompiledScenario } from './validate';

/** A system state plus the set of pinned steps that have happened. */
export interface ScenarioWorld extends World {
  readonly scn: number;
}

interface Successor {
  readonly from: World;
  readonly next: ScenarioWorld;
  readonly rec: readonly Delivery[];
}

/** What the search saw of the scenario, for reports. */
export interface ScenarioObservations {
  /** Union of the pinned steps that happened in some explored state. */
  everDone: number;
  /** Some explored state had every pinned step done. */
  completed: boolean;
  /** Per pinned step: the system steps held back because they would have matched it early (label → count). */
  heldBack: Map<number, Map<string, number>>;
  /** States where the system had steps left but the scenario held them all back. */
  stuck: number;
}

const count = (n: number): number => {
  let c = 0;
  for (; n; n &= n - 1) c++;
  return c;
};

export class ScenarioCheckable implements Checkable<World> {
  readonly observed: ScenarioObservations = { everDone: 0, completed: false, heldBack: new Map(), stuck: 0 };
  private readonly successors = new WeakMap<Step, Successor>();
  private readonly payloadKeys: (readonly [string, string][] | null)[];
  private readonly mixer = new WordHash();

  constructor(
    readonly base: Checkable<World>,
    readonly scenario: CompiledScenario,
  ) {
    this.payloadKeys = scenario.steps.map((s) => (s.payload ? Object.entries(s.payload).map(([k, v]) => [k, stableStringify(v)] as const) : null));
  }

  get actorCount(): number {
    return this.base.actorCount;
  }

  get acyclic(): boolean {
    // The automaton only moves forward: a product run revisits a state only if the system's run does.
    return this.base.acyclic;
  }

  get readFields(): readonly string[] {
    return this.base.readFields;
  }

  actorId(actor: number): string {
    return this.base.actorId(actor);
  }

  snapshot(world: World, actor: number): AnyMachineSnapshot {
    return this.base.snapshot(world, actor);
  }

  /** Number of pinned steps done in a product state. */
  progress(world: object): number {
    return count((world as ScenarioWorld).scn ?? 0);
  }

  initial(): ScenarioWorld {
    return { ...this.base.initial(), scn: 0 };
  }

  private matches(i: number, d: Delivery): boolean {
    const s = this.scenario.steps[i];
    if (d.event.type !== s.event || this.base.actorId(d.to) !== s.actor) return false;
    if (s.from !== undefined && this.base.actorId(d.from) !== s.from) return false;
    const pk = this.payloadKeys[i];
    if (pk) for (const [k, v] of pk) if (stableStringify(d.event[k]) !== v) return false;
    return true;
  }

  /** The automaton's move on one system step: the new bit set, or -1 if the scenario holds it back. */
  private advance(done: number, rec: readonly Delivery[]): { done: number } | { done: -1; blockedBy: number } {
    const n = this.scenario.steps.length;
    for (const d of rec) {
      let blocked = -1;
      let took = false;
      for (let i = 0; i < n; i++) {
        if (done & (1 << i) || !this.matches(i, d)) continue;
        if ((this.scenario.preds[i] & done) === this.scenario.preds[i]) {
          done |= 1 << i;
          took = true;
          break;
        }
        if (blocked < 0) blocked = i;
      }
      if (!took && blocked >= 0) return { done: -1, blockedBy: blocked };
    }
    return { done };
  }

  private successor(world: ScenarioWorld, st: Step): Successor | { blockedBy: number; rec: Delivery[] } {
    const rec: Delivery[] = [];
    const next = this.base.apply(world, st, rec);
    const r = this.advance(world.scn, rec);
    if ('blockedBy' in r) return { blockedBy: r.blockedBy, rec };
    return { from: world, next: { ...next, scn: r.done }, rec };
  }

  enabled(world: World): Step[] {
    const w = world as ScenarioWorld;
    const all = this.base.enabled(w);
    const out: Step[] = [];
    for (const st of all) {
      const s = this.successor(w, st);
      if ('blockedBy' in s) {
        const m = this.observed.heldBack.get(s.blockedBy) ?? new Map<string, number>();
        const d = s.rec[0];
        const label = `${this.base.actorId(d.to)} ${d.event.type}`;
        m.set(label, (m.get(label) ?? 0) + 1);
        this.observed.heldBack.set(s.blockedBy, m);
        continue;
      }
      this.successors.set(st, s);
      this.observed.everDone |= s.next.scn;
      if (s.next.scn === this.scenario.full) this.observed.completed = true;
      out.push(st);
    }
    if (all.length > 0 && out.length === 0) this.observed.stuck++;
    return out;
  }

  apply(world: World, step: Step, record?: Delivery[]): World {
    const w = world as ScenarioWorld;
    let s = this.successors.get(step);
    if (!s || s.from !== world) {
      const fresh = this.successor(w, step);
      if ('blockedBy' in fresh)
        throw new InternalError(
          `step ${this.base.actorId(step.actor)} ${step.event.type} is held back by pinned step ${describePinned(this.scenario.steps[fresh.blockedBy])}`,
        );
      s = fresh;
    }
    record?.push(...s.rec);
    return s.next;
  }

  ample(world: World, steps: readonly Step[]): readonly Step[] {
    const amp = this.base.ample(world, steps);
    if (amp.length >= steps.length) return steps;
    // Keep the persistent set only if it is invisible to the scenario and nothing of that actor is held back.
    const w = world as ScenarioWorld;
    const actor = amp[0].actor;
    const mine = this.base.enabled(w).filter((s) => s.actor === actor).length;
    if (mine !== amp.length) return steps;
    for (const st of amp) {
      const s = this.successors.get(st);
      if (!s || s.from !== world || s.next.scn !== w.scn) return steps;
    }
    return amp;
  }

  key(world: World): string {
    return `${(world as ScenarioWorld).scn.toString(36)}|${this.base.key(world)}`;
  }

  decode(key: string): ScenarioWorld {
    const i = key.indexOf('|');
    return { ...this.base.decode(key.slice(i + 1)), scn: parseInt(key.slice(0, i), 36) };
  }

  /** The scenario position (a number in every process) and the system's portable key. */
  portableKey(world: World): string {
    return `${(world as ScenarioWorld).scn.toString(36)}|${this.base.portableKey(world)}`;
  }

  portableFingerprint(world: World, out: Uint32Array): void {
    this.base.portableFingerprint(world, out);
    // The scenario's progress is part of the state, as in the portable key: folded into the base state's fingerprint.
    const scn = (world as ScenarioWorld).scn;
    this.mixer
      .start()
      .add(out[0])
      .add(out[1])
      .add(scn >>> 0)
      .add(Math.floor(scn / 2 ** 32))
      .end(out);
  }

  fromPortableKey(key: string): ScenarioWorld {
    const i = key.indexOf('|');
    return { ...this.base.fromPortableKey(key.slice(i + 1)), scn: parseInt(key.slice(0, i), 36) };
  }

  violation(world: World): Violation | null {
    if (this.scenario.onceComplete && (world as ScenarioWorld).scn !== this.scenario.full) return null;
    return this.base.violation(world);
  }

  /** A quiescence invariant is checked only where the system itself has no step left. */
  quiescentViolation(world: World): Violation | null {
    if (this.scenario.onceComplete && (world as ScenarioWorld).scn !== this.scenario.full) return null;
    if (this.base.enabled(world).length > 0) return null;
    return this.base.quiescentViolation(world);
  }
}
