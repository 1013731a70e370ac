/** Evaluate a spec's invariants on one state, in spec order: the first broken one, or null. */
import type { Invariant, WorldView } from './spec';

export function firstViolation<G>(invariants: readonly Invariant<G>[], view: WorldView<G>, kinds: readonly Invariant<G>['kind'][]): { invariant: string; message: string } | null {
  for (const inv of invariants) {
    if (!kinds.includes(inv.kind)) continue;
    if (inv.checkActor)
      for (let a = 0; a < view.actors.length; a++) {
        const m = inv.checkActor(a, view.snapshot(a), view);
        if (m !== null) return { invariant: inv.id, message: m };
      }
    const m = inv.check?.(view) ?? null;
    if (m !== null) return { invariant: inv.id, message: m };
  }
  return null;
}
