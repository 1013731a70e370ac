/**
 * What the explorer needs of a system, and the types it speaks in: states it cannot look inside, enabled
 * steps, successors, canonical keys and invariant checks. bus/engine.ts implements it for any set of
 * XState machines on the bus; the explorer knows nothing else (no page tables, no CPUs, no XState).
 */
import type { AnyMachineSnapshot } from 'xstate';

/** An event as the search sees it: a type and fields it never reads. */
export interface StepEvent {
  readonly type: string;
  readonly [k: string]: unknown;
}

/** One thing the scheduler may deliver next. */
export interface Step {
  /** Receiving actor. */
  readonly actor: number;
  /** Sending actor (=== actor for the actor's own step). */
  readonly from: number;
  readonly event: StepEvent;
}

/** A delivery as it happened (a step and the sync deliveries it caused), for traces. */
export interface Delivery {
  readonly from: number;
  readonly to: number;
  readonly event: StepEvent;
}

export interface Violation {
  readonly invariant: string;
  readonly message: string;
}

/** A whole-system state, opaque to the search. */
export type World = object;

export interface Checkable<W extends World = World> {
  readonly actorCount: number;
  initial(): W;
  enabled(world: W): Step[];
  /** A persistent subset of the enabled steps (partial-order reduction), or all of them. */
  ample(world: W, steps: readonly Step[]): readonly Step[];
  apply(world: W, step: Step, record?: Delivery[]): W;
  /** Canonical key (symmetry applied if on): a compact string, self-contained given the dictionaries. */
  key(world: W): string;
  /** The representative state a key stands for. */
  decode(key: string): W;
  /**
   * A self-contained name of the state's orbit: equal in every process (thread or machine) that built the same
   * system, for equal orbits only; no per-process codes.
   */
  portableKey(world: W): string;
  /** The portable key's 64-bit fingerprint into `out` ([hi, lo]), equal in every process; what parallel searches name states by. */
  portableFingerprint(world: W, out: Uint32Array): void;
  /** The state a portable key made by any process that built the same system stands for (the same representative `decode` would give). */
  fromPortableKey(key: string): W;
  violation(world: W): Violation | null;
  quiescentViolation(world: W): Violation | null;
  /** Every broken quiescence invariant, in spec order (a fair lasso must keep breaking one of them). */
  quiescentViolations?(world: W): readonly Violation[];
  readonly acyclic: boolean;
  /** An actor's snapshot in a state (for reports; the search itself never looks inside). */
  snapshot(world: W, actor: number): AnyMachineSnapshot;
  /** The actor ids, for traces. */
  actorId(actor: number): string;
  /** Event fields ignored when a recorded step is matched against an enabled one. */
  readonly readFields: readonly string[];
}
