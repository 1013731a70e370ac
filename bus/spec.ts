/**
 * What a system of XState machines on the bus is, independent of how it is run: the actors, the shared
 * memory they write through emitted effects and read through enriched events, the steps each actor may
 * take on its own (offers), and the invariants. Live runs (bus/live-bus.ts) and the explorer
 * (bus/engine.ts) both run this one description.
 */
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';

/** An event on the bus. `to`-less: the envelope says who receives it. */
export interface BusEvent {
  readonly type: string;
  readonly [k: string]: unknown;
}

/**
 * A machine puts a message on the bus by emitting `{type: 'bus.send', to, event, sync?}`. A sync send is
 * delivered inside the same step (a function call, e.g. stop_machine taking a CPU down); others wait in
 * the receiver's channel until the scheduler delivers them. Any other emitted event is a write to shared
 * memory, applied by `BusSpec.write`.
 */
export interface SendEffect extends BusEvent {
  readonly type: 'bus.send';
  readonly to: string;
  readonly event: BusEvent;
  readonly sync?: boolean;
}

export interface ActorDecl {
  readonly id: string;
  readonly machine: AnyStateMachine;
  readonly input?: unknown;
  /** What the actor is to the model and its reports ('cpu', 'kernel', 'vm'…); the core never reads it. */
  readonly role?: string;
  /**
   * Actors with the same symmetry class are interchangeable: their local states must not mention their
   * own identity, and nothing else may tell them apart except through messages and their local states.
   */
  readonly symmetry?: string;
  /** 'self': offers depend only on this actor's snapshot and shared memory (they are memoised). */
  readonly offersScope?: 'self' | 'world';
}

/** Read access to one whole-system state, for offers, enrichment and invariants. */
export interface WorldView<G> {
  readonly actors: readonly ActorDecl[];
  readonly global: G;
  snapshot(actor: number): AnyMachineSnapshot;
  indexOf(id: string): number;
  /** Messages waiting for `actor`, oldest first. */
  pendingFor(actor: number): readonly { from: number; event: BusEvent }[];
}

/** The part of a state a whole-state invariant reads (docs/soundness.md). */
export interface InvariantReads {
  readonly actors?: readonly string[];
  readonly memory?: boolean;
  readonly messages?: boolean;
}

export interface Invariant<G> {
  /** Stable id (MODEL.md), used in output and traces. */
  readonly id: string;
  readonly description: string;
  /** 'safety': must hold in every state; 'quiescent': must hold in every state with no step left. */
  readonly kind: 'safety' | 'quiescent';
  /** A message if violated, else null. A safety invariant gives this, `checkActor`, or both. */
  check?(view: WorldView<G>): string | null;
  /**
   * What `check` reads, if you want the partial-order reduction to move actors it cannot see: the actors whose
   * snapshots it reads (ids), whether it reads shared memory, whether it reads pending messages. Enforced:
   * reading anything else throws. Without it, `check` may read everything (and every step is visible to it).
   */
  readonly reads?: InvariantReads;
  /**
   * Optional per-actor form of a safety check, memoised per local state: an invariant that only reads
   * one actor's snapshot should give this instead of (or as well as) `check`. It may read only `snapshot`,
   * `view.actors` and `view.indexOf` (enforced: anything else throws).
   */
  checkActor?(actor: number, snapshot: AnyMachineSnapshot, view: WorldView<G>): string | null;
}

export interface BusSpec<G> {
  readonly name: string;
  readonly actors: readonly ActorDecl[];
  readonly initialGlobal: G;
  /** A compact, deterministic key of shared memory. */
  globalKey(g: G): string;
  /** The steps `actor` may take now on its own initiative (its next instruction, a nondeterministic choice). */
  offers(view: WorldView<G>, actor: number): readonly BusEvent[];
  /** Add what the receiver reads of shared memory at delivery (e.g. the notifier chain at CPU_STARTING). */
  enrich?(view: WorldView<G>, actor: number, event: BusEvent, from: number): BusEvent;
  /** Apply one emitted write effect to shared memory. */
  write(g: G, effect: BusEvent, actor: number): G;
  readonly invariants: readonly Invariant<G>[];
  /**
   * Partial-order reduction: true if every step `actor` can take now commutes with every step the other
   * actors can take before `actor` moves (none writes what it reads, reads what it writes, sends to it, or
   * enables or disables its steps). Invariants are not your concern here: the engine keeps the proposal only
   * where no safety invariant can see the steps and they commute with the steps enabled now
   * (docs/soundness.md). The explorer then expands that actor alone (a persistent set).
   */
  independent?(view: WorldView<G>, actor: number): boolean;
  /** No run revisits a state (every loop makes progress): the explorer may skip the cycle proviso. */
  readonly acyclic?: boolean;
  /** Event fields that are reads of shared memory added by offers or enrich, ignored when a trace is matched. */
  readonly readFields?: readonly string[];
}
