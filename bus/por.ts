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
 * The commutation verdict of a pair is memoised on exactly what computing it read (bus/commute-memo.ts), so
 * a remembered verdict is the one the check would compute again; docs/soundness.md has the argument.
 *
 * What the engine cannot check (steps other actors take later) is the user's claim; docs/soundness.md.
 */
import type { Deliverable } from './deliverable';
import { CommuteMemo, type Fingerprint } from './commute-memo';
import { noReads, type Reads } from './reads';
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
  /** The state's key without symmetry (two orders of two steps must reach the very same state). */
  exactKey(world: W): string;
  stepKey(step: Deliverable): string;
  /** Runs `fn`, adding to `reads` whose local states and pending messages it read (bus/reads.ts). */
  observe<T>(reads: Reads, fn: () => T): T;
  /** The codes of the messages pending for `actor`, oldest first, as a string (the memo's key). */
  pendingKey(world: W, actor: number): string;
  /** The actor's interned local-state code. */
  localOf(world: W, actor: number): number;
  /** The interned shared-memory code. */
  globalOf(world: W): number;
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

const memos = new WeakMap<object, CommuteMemo>();

function memoOf<W, G>(host: PorHost<W, G>): CommuteMemo {
  let m = memos.get(host);
  if (!m) memos.set(host, (m = new CommuteMemo()));
  return m;
}

/** The state's fingerprint over some actors' local states and pending messages, and shared memory. */
function fingerprintOf<W, G>(host: PorHost<W, G>, world: W): Fingerprint {
  const pending: string[] = [];
  const global = String(host.globalOf(world));
  return (actors, queues) => {
    let k = global;
    for (const a of actors) k += ',' + host.localOf(world, a);
    for (const a of queues) k += ';' + (pending[a] ??= host.pendingKey(world, a));
    return k;
  };
}


function checked<W, G>(host: PorHost<W, G>, world: W, mine: readonly Deliverable[], steps: readonly Deliverable[]): boolean {
  const actor = mine[0].actor;
  const memo = memoOf(host);
  const fingerprint = fingerprintOf(host, world);
  const others = steps.filter((s) => s.actor !== actor);
  const keyed = (list: readonly Deliverable[]) => new Map(list.map((s) => [host.stepKey(s), s]));
  // Each other step, its successor, and what the proposed actor may do there (computed once for all proposed
  // steps, in the same order as without the memo: new local states, memories and messages get the same codes).
  const after = others.map((b) => {
    const wb = host.apply(world, b);
    return { b, bKey: memo.step(memoKey(host, b)), wb, mineThere: keyed(host.enabledOf(wb, actor)) };
  });
  for (const a of mine) {
    const rec: { from: number; to: number }[] = [];
    const wa = host.apply(world, a, rec);
    // A sync send changes another actor's local state: its checkActor could see it.
    if (rec.some((d) => d.to !== actor)) return false;
    if (seen(host.footprints, actor, host.changes(world, wa))) return false;
    const aKey = memo.step(memoKey(host, a));
    const theirs = new Map<number, Map<string, Deliverable>>();
    for (const { b, bKey, wb, mineThere } of after) {
      const pair = `${aKey},${bKey}`;
      const known = memo.get(pair, fingerprint);
      if (known === false) return false;
      if (known === true) continue;
      // Not known: compute it, noting what it reads. The successors are computed again under observation (a
      // replay: it creates no new local state, memory or message, so codes are as without the memo).
      const reads = noReads(actor, b.actor);
      const verdict = host.observe(reads, () => {
        host.apply(world, a);
        host.apply(world, b);
        const ab = keyed(host.enabledOf(wb, actor)).get(host.stepKey(a));
        let list = theirs.get(b.actor);
        if (!list) theirs.set(b.actor, (list = keyed(host.enabledOf(wa, b.actor))));
        else host.enabledOf(wa, b.actor);
        return commutes(host, wa, wb, list.get(host.stepKey(b)), ab);
      });
      memo.set(pair, reads, fingerprint, verdict);
      if (!verdict) return false;
    }
  }
  return true;
}

/** A step as the memo tells steps apart: offers and messages with the same event are different steps. */
function memoKey<W, G>(host: PorHost<W, G>, s: Deliverable): string {
  return (s.queueIndex < 0 ? 'o' : 'm') + host.stepKey(s);
}

/** Both orders are possible and reach the very same state. */
function commutes<W, G>(host: PorHost<W, G>, wa: W, wb: W, ba: Deliverable | undefined, ab: Deliverable | undefined): boolean {
  if (!ba || !ab) return false;
  return host.exactKey(host.apply(wa, ba)) === host.exactKey(host.apply(wb, ab));
}
