/**
 * Scenarios: pin part of the schedule, let the explorer vary the rest.
 *
 * A scenario is a list of **pinned steps** (patterns over deliveries: receiving actor, event type,
 * optionally the sender and some event fields) with a happens-before order among them: by default each
 * pinned step comes after the one listed before it (a chain); `after` gives other predecessors.
 *
 * The semantics, exactly (scenario/product.ts implements it as a product of the system with a small
 * automaton whose state, the set of pinned steps that have happened, is part of the state key):
 *
 * - A delivery *matches* a pinned step if its receiver, its event type and (if given) its sender are the
 *   pinned ones, and every field given in `payload` is equal (deep equality) to the event's field. Every
 *   delivery of a scheduler step counts, including the synchronous ones it causes (hotplug's `DOWN` step
 *   delivers `CPU_DOWN` to the CPU inside the same step).
 * - A pinned step is *ready* once all its predecessors have happened. The first matching delivery while
 *   it is ready is that pinned step: it has now happened.
 * - A step with a delivery that matches a pinned step which has not happened and is not ready is
 *   **held back**: the explorer does not take it there. (Unless the delivery is the occurrence of a ready
 *   pinned step with the same pattern; then it is that one.) So no pinned step happens early.
 * - Every other step interleaves freely, before, between and after the pinned ones; steps matching
 *   pinned steps that already happened are free too.
 *
 * Invariants are checked on every state of every interleaving the scenario allows, also before the
 * pinned schedule completes (a safety violation is one whatever comes next); the result says how far the
 * schedule had got. With `check: 'once-complete'` they are checked only in states where every pinned
 * step has happened: the counterexample then follows the whole pinned schedule (the HYP faults are
 * sticky: a CPU that faulted stays faulted, so a fault before completion is still found on any run that
 * goes on to complete the schedule). Quiescence invariants (init-completes) are checked only where the
 * *system* has no step left, never where the scenario merely holds steps back. If no interleaving
 * completes the pinned schedule, an exhaustive search says so: result `unsatisfiable`, never `verified`.
 *
 * Pinned steps name actors, so CPU symmetry cannot be used: scenario searches run without it.
 */
import type { CpuEvent } from '../machines/cpu';
import type { KernelStepName } from '../machines/kernel-steps';
import type { VmEvent } from '../machines/vm';
import { stableStringify } from '../util/stable';

/** One pinned step, as written in a scenario file or built with `scenario()`. */
export interface PinnedStep {
  /** The actor that receives (takes) the step: 'kernel', 'cpu1', 'hotplug', 'vm0', or one of yours. */
  readonly actor: string;
  /** Its event type, e.g. 'FREE_BOOT_HYP_PGD', 'DOWN', 'SWITCH_PGD'. */
  readonly event: string;
  /** Event fields that must be equal, e.g. `{ cpu: 1 }` for hotplug's DOWN. Others are not compared. */
  readonly payload?: Readonly<Record<string, unknown>>;
  /** The sender (default: any). An actor's own step has from === actor. */
  readonly from?: string;
  /**
   * Indices (0-based) of the earlier pinned steps that must have happened before this one. Default: the
   * step listed just before it (none for the first). `[]`: unordered, it only has to happen.
   */
  readonly after?: readonly number[];
}

/** What a scenario file holds, and what `scenario()` builds. */
export interface ScenarioSpec {
  readonly description?: string;
  readonly steps: readonly PinnedStep[];
  /** Where invariants are checked: in every state (default), or only once every pinned step has happened. */
  readonly check?: 'always' | 'once-complete';
}

/** Actor id → the event types it takes, to type-check a builder (see `HypEvents`). */
export type EventMap = { readonly [actor: string]: string };

/**
 * The HYP system's actors and events, for `scenario<HypEvents>()`: a compile-time convenience (the run-time
 * check against the system's real statecharts is what counts; a design has only some of these).
 */
export type HypEvents = {
  readonly kernel: KernelStepName | 'DONE';
  readonly hotplug: 'DOWN' | 'UP';
  readonly cpupm: 'ENTER' | 'EXIT';
  // Derived from the CPU statechart's event union, which the step lists (machines/step-types.ts) name.
  readonly [cpu: `cpu${number}`]: CpuEvent['type'];
  readonly [vm: `vm${number}`]: VmEvent['type'];
};

export interface StepOptions {
  /** The sender (default any). */
  readonly from?: string;
  /** Predecessors by index (default: the previous step). */
  readonly after?: readonly number[];
}

/**
 * The typed builder. Each call adds a pinned step; `then` and `after` chain it after the previous one.
 *
 *   scenario()
 *     .after('kernel', 'FREE_BOOT_HYP_PGD')     // once the kernel has freed the boot pgd,
 *     .then('hotplug', 'DOWN', { cpu: 1 })      // cpu1 goes down,
 *     .then('hotplug', 'UP', { cpu: 1 })        // and comes back
 */
export class Scenario<E extends EventMap = EventMap> implements ScenarioSpec {
  readonly steps: readonly PinnedStep[];
  readonly description?: string;
  readonly check?: 'always' | 'once-complete';

  constructor(steps: readonly PinnedStep[] = [], description?: string, check?: 'always' | 'once-complete') {
    this.steps = steps;
    if (description !== undefined) this.description = description;
    if (check !== undefined) this.check = check;
  }

  /** Pin a step after the previous one. */
  then<A extends keyof E & string>(actor: A, event: E[A], payload?: Readonly<Record<string, unknown>>, options: StepOptions = {}): Scenario<E> {
    return this.step(actor, event, payload, options);
  }

  /** Same as `then`; reads well first: `scenario().after('kernel', 'FREE_BOOT_HYP_PGD').then(...)`. */
  after<A extends keyof E & string>(actor: A, event: E[A], payload?: Readonly<Record<string, unknown>>, options: StepOptions = {}): Scenario<E> {
    return this.step(actor, event, payload, options);
  }

  /** Pin a step that must happen, in no particular order relative to the others (unless `after` says). */
  also<A extends keyof E & string>(actor: A, event: E[A], payload?: Readonly<Record<string, unknown>>, options: StepOptions = {}): Scenario<E> {
    return this.step(actor, event, payload, { ...options, after: options.after ?? [] });
  }

  /** Add "step i happens before step j" (indices as listed, 0-based) to the order. */
  before(i: number, j: number): Scenario<E> {
    const steps = this.steps.map((s, k) => (k === j ? { ...s, after: [...new Set([...predecessors(this.steps, k), i])].sort((a, b) => a - b) } : s));
    return new Scenario<E>(steps, this.description, this.check);
  }

  /** Check invariants only in states where every pinned step has happened (see the semantics above). */
  checkOnceComplete(): Scenario<E> {
    return new Scenario<E>(this.steps, this.description, 'once-complete');
  }

  describe(text: string): Scenario<E> {
    return new Scenario<E>(this.steps, text, this.check);
  }

  private step(actor: string, event: string, payload: Readonly<Record<string, unknown>> | undefined, options: StepOptions): Scenario<E> {
    const s: PinnedStep = {
      actor,
      event,
      ...(payload !== undefined ? { payload } : {}),
      ...(options.from !== undefined ? { from: options.from } : {}),
      ...(options.after !== undefined ? { after: options.after } : {}),
    };
    return new Scenario<E>([...this.steps, s], this.description, this.check);
  }

  toJSON(): ScenarioSpec {
    return {
      ...(this.description !== undefined ? { description: this.description } : {}),
      ...(this.check !== undefined ? { check: this.check } : {}),
      steps: this.steps.map((s, i) => ({ ...s, after: predecessors(this.steps, i) })),
    };
  }
}

/** Start a scenario. `scenario<HypEvents>()` checks actor and event names of the HYP system at compile time. */
export function scenario<E extends EventMap = EventMap>(description?: string): Scenario<E> {
  return new Scenario<E>([], description);
}

/** The predecessors of step i: its `after`, or the previous step. */
export function predecessors(steps: readonly PinnedStep[], i: number): number[] {
  const a = steps[i].after;
  if (a !== undefined) return [...a];
  return i > 0 ? [i - 1] : [];
}

/** `hotplug DOWN {"cpu":1}` */
export function describePinned(s: PinnedStep): string {
  const p = s.payload && Object.keys(s.payload).length ? ` ${stableStringify(s.payload)}` : '';
  return `${s.from !== undefined && s.from !== s.actor ? `${s.from} → ` : ''}${s.actor} ${s.event}${p}`;
}

/** The whole scenario on one line: `steps[0] kernel FREE_BOOT_HYP_PGD → steps[1] hotplug DOWN {"cpu":1}`. */
export function describeScenario(spec: ScenarioSpec): string {
  const chain = spec.steps.every((_, i) => {
    const p = predecessors(spec.steps, i);
    return i === 0 ? p.length === 0 : p.length === 1 && p[0] === i - 1;
  });
  const mode = spec.check === 'once-complete' ? ' (invariants checked once every pinned step has happened)' : '';
  if (chain) return spec.steps.map(describePinned).join(' → ') + mode;
  return (
    spec.steps
      .map((s, i) => {
        const p = predecessors(spec.steps, i);
        return `[${i}] ${describePinned(s)}${p.length ? ` after [${p.join(', ')}]` : ''}`;
      })
      .join('; ') + mode
  );
}
