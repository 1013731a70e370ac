/**
 * The one invariant evaluator: a spec's invariants on one state, in spec order. Used by the live bus, the
 * engine (with its per-local-state memo of `checkActor`) and the inspector.
 *
 * `checkActor` sees its own actor's snapshot and the static parts of the view (`actors`, `indexOf`); any
 * other read throws, because the engine memoises it per local state and the partial-order reduction relies
 * on it reading nothing another actor can change (docs/soundness.md).
 */
import type { AnyMachineSnapshot } from 'xstate';
import { UnsupportedFeatureError } from '../util/errors';
import type { Invariant, InvariantReads, WorldView } from './spec';

export interface Violation {
  readonly invariant: string;
  readonly message: string;
}

/** The view a `checkActor` gets: what it may read, and a clear error for the rest. */
function actorView<G>(view: WorldView<G>, actor: number, id: string): WorldView<G> {
  const refuse = (what: string): never => {
    throw new UnsupportedFeatureError(
      `invariant "${id}": checkActor may read only its own actor's snapshot, view.actors and view.indexOf; it read ${what}: write it as check(view)`,
    );
  };
  return {
    actors: view.actors,
    indexOf: (x) => view.indexOf(x),
    get global(): G {
      return refuse('view.global');
    },
    snapshot: (a) => (a === actor ? view.snapshot(a) : refuse(`the snapshot of "${view.actors[a]?.id ?? a}"`)),
    pendingFor: () => refuse('view.pendingFor'),
  };
}

/** The view a `check` with declared `reads` gets: those parts, and a clear error for the rest. */
function declaredView<G>(view: WorldView<G>, reads: InvariantReads, id: string): WorldView<G> {
  const refuse = (what: string): never => {
    throw new UnsupportedFeatureError(`invariant "${id}" read ${what}, which its \`reads\` does not declare`);
  };
  const actors = new Set(reads.actors ?? []);
  return {
    actors: view.actors,
    indexOf: (x) => view.indexOf(x),
    get global(): G {
      return reads.memory ? view.global : refuse('view.global');
    },
    snapshot: (a) => (actors.has(view.actors[a]?.id) ? view.snapshot(a) : refuse(`the snapshot of "${view.actors[a]?.id ?? a}"`)),
    pendingFor: (a) => (reads.messages ? view.pendingFor(a) : refuse('view.pendingFor')),
  };
}

/** The `checkActor` violations of one actor in one local state, in spec order (null: none). */
export function actorViolations<G>(
  invariants: readonly Invariant<G>[],
  actor: number,
  snap: AnyMachineSnapshot,
  view: WorldView<G>,
): readonly Violation[] | null {
  let out: Violation[] | null = null;
  for (const inv of invariants) {
    if (inv.kind !== 'safety' || !inv.checkActor) continue;
    const m = inv.checkActor(actor, snap, actorView(view, actor, inv.id));
    if (m !== null) {
      out ??= [];
      out.push({ invariant: inv.id, message: m });
    }
  }
  return out;
}

/**
 * The first broken invariant of the given kinds (spec order, then actor order), or null. `perActor`, if
 * given, returns `actorViolations` of an actor (the engine's memo).
 */
export function firstViolation<G>(
  invariants: readonly Invariant<G>[],
  view: WorldView<G>,
  kinds: readonly Invariant<G>['kind'][],
  perActor: (actor: number) => readonly Violation[] | null = (a) => actorViolations(invariants, a, view.snapshot(a), view),
): Violation | null {
  let lists: (readonly Violation[] | null)[] | null = null;
  for (const inv of invariants) {
    if (!kinds.includes(inv.kind)) continue;
    if (inv.checkActor && inv.kind === 'safety') {
      lists ??= view.actors.map((_, a) => perActor(a));
      for (const l of lists) {
        const v = l?.find((x) => x.invariant === inv.id);
        if (v) return v;
      }
    } else if (inv.checkActor) {
      for (let a = 0; a < view.actors.length; a++) {
        const m = inv.checkActor(a, view.snapshot(a), actorView(view, a, inv.id));
        if (m !== null) return { invariant: inv.id, message: m };
      }
    }
    const m = inv.check?.(inv.reads ? declaredView(view, inv.reads, inv.id) : view) ?? null;
    if (m !== null) return { invariant: inv.id, message: m };
  }
  return null;
}

/** Every broken invariant of the given kinds whose whole-state `check` fails, in spec order (fair lassos). */
export function allChecks<G>(invariants: readonly Invariant<G>[], view: WorldView<G>, kinds: readonly Invariant<G>['kind'][]): Violation[] {
  return invariants
    .filter((inv) => kinds.includes(inv.kind))
    .map((inv) => firstViolation([inv], view, kinds))
    .filter((v): v is Violation => v !== null);
}
