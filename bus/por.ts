/**
 * Partial-order reduction, sound by construction. The user's `BusSpec.independent` proposes an actor whose
 * steps may go first; the engine keeps that proposal only where it can check it:
 *
 * - visibility: no safety invariant can see the proposed steps. `checkActor` reads only its own actor's
 *   snapshot (bus/check.ts enforces it), so a step that changes no other actor's local state cannot make
 *   another actor's check fail, and the proposed actor's own check was already evaluated in this state;
 *   a whole-state `check` reads what its `reads` declares (enforced), or everything: a step is visible to
 *   it if it reads the actor, or the memory or messages the step changed;
 * - commutation here: every proposed step and every other enabled step stay enabled after each other and
 *   reach the same state in either order (a wrong relation is caught where it first matters);
 * - the persistent set is all the proposed actor's enabled steps, and the explorer adds the cycle proviso.
 *
 * What the engine cannot check (steps other actors take later) is the user's claim; docs/soundness.md.
 */
import type { Deliverable } from './deliverable';
import { findStep } from './same-state';
import type { WorldView } from './spec';

/** What a whole-state safety invariant may read: actor indices (null: all), shared memory, messages. */
export interface Footprint {
  readonly actors: ReadonlySet<number> | null;
  readonly memory: boolean;
  readonly messages: boolean;
}

/** What the reduction needs of the engine. */
export interface PorHost<W, G> {
  readonly independent?: (view: WorldView<G>, actor: number) => boolean;
  /** What each safety `check` may read (undeclared `reads`: everything). */
  readonly footprints: readonly Footprint[];
  /** Whether a step from `before` to `after` changed shared memory, and the pending messages. */
  changes(before: W, after: W): { memory: boolean; messages: boolean };
  view(world: W): WorldView<G>;
  /** The steps one actor may take (bus/deliverable.ts order). */
  enabledOf(world: W, actor: number): Deliverable[];
  apply(world: W, step: Deliverable, record?: { from: number; to: number }[]): W;
  /** The very same state, without symmetry (two orders of two steps must reach it; bus/same-state.ts). */
  same(x: W, y: W): boolean;
}

/** A persistent, invisible subset of `steps` (all enabled in `world`), or `steps` itself. */
export function ample<W, G>(host: PorHost<W, G>, world: W, steps: readonly Deliverable[]): readonly Deliverable[] {
  if (!host.independent || steps.length < 2) return steps;
  const view = host.view(world);
  const tried = new Set<number>();
  for (const st of steps) {
    if (tried.has(st.actor)) continue;
    tried.add(st.actor);
    if (!host.independent(view, st.actor)) continue;
    const mine = steps.filter((s) => s.actor === st.actor);
    if (mine.length === steps.length) return steps;
    if (checked(host, world, mine, steps)) return mine;
  }
  return steps;
}

/** Some whole-state invariant reads what the step changed (the actor's own local state, memory or messages). */
function seen(footprints: readonly Footprint[], actor: number, changed: { memory: boolean; messages: boolean }): boolean {
  return footprints.some((f) => f.actors === null || f.actors.has(actor) || (f.memory && changed.memory) || (f.messages && changed.messages));
}

function checked<W, G>(host: PorHost<W, G>, world: W, mine: readonly Deliverable[], steps: readonly Deliverable[]): boolean {
  const actor = mine[0].actor;
  const others = steps.filter((s) => s.actor !== actor);
  // Each other step, its successor, and what the proposed actor may do there (computed once for all proposed steps).
  const after = others.map((b) => {
    const wb = host.apply(world, b);
    return { b, wb, mineThere: host.enabledOf(wb, actor) };
  });
  for (const a of mine) {
    const rec: { from: number; to: number }[] = [];
    const wa = host.apply(world, a, rec);
    // A sync send changes another actor's local state: its checkActor could see it.
    if (rec.some((d) => d.to !== actor)) return false;
    if (seen(host.footprints, actor, host.changes(world, wa))) return false;
    const theirs = new Map<number, Deliverable[]>();
    for (const { b, wb, mineThere } of after) {
      let list = theirs.get(b.actor);
      if (!list) theirs.set(b.actor, (list = host.enabledOf(wa, b.actor)));
      const ba = findStep(list, b);
      const ab = findStep(mineThere, a);
      if (!ba || !ab) return false;
      if (!host.same(host.apply(wa, ba), host.apply(wb, ab))) return false;
    }
  }
  return true;
}
