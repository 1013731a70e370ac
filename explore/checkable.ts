/**
 * What the explorer needs of a system: states, enabled steps, successors, canonical keys and invariant
 * checks. bus/engine.ts provides it for any set of XState machines on the bus; the explorer knows
 * nothing else (no page tables, no CPUs).
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { Delivery, Step, Violation, World } from '../bus/engine';

export interface Checkable {
  readonly actorCount: number;
  initial(): World;
  enabled(world: World): Step[];
  /** A persistent subset of the enabled steps (partial-order reduction), or all of them. */
  ample(world: World, steps: readonly Step[]): readonly Step[];
  apply(world: World, step: Step, record?: Delivery[]): World;
  /** Canonical key (symmetry applied if on): a compact string, self-contained given the dictionaries. */
  key(world: World): string;
  /** The representative state a key stands for. */
  decode(key: string): World;
  violation(world: World): Violation | null;
  quiescentViolation(world: World): Violation | null;
  readonly acyclic: boolean;
  /** An actor's snapshot in a state (for reports; the search itself never looks inside). */
  snapshot(world: World, actor: number): AnyMachineSnapshot;
  /** The actor ids, for traces. */
  actorId(actor: number): string;
  /** Event fields ignored when a recorded step is matched against an enabled one. */
  readonly readFields: readonly string[];
}
