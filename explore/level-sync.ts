/**
 * The per-state semantics of a level-synchronous breadth-first search, shared by the one search loop
 * (search.ts, bfs), the thread pool and the Redis workers. Level d holds the states first reached at depth
 * d; all of level d is expanded before any of level d+1, so the levels (hence state counts, verdicts and
 * counterexample lengths) do not depend on timing or on the number of workers.
 *
 * Pure and synchronous, and split in two phases so that a caller whose visited set answers asynchronously
 * (another thread, Redis) can use it: `planExpansion` applies the persistent set's steps and names the
 * keys the cycle proviso must ask about; `finishExpansion` takes the answers ("was this state reached at
 * depth ≤ d?") and gives every successor to record at depth d+1.
 *
 * @example
 * const plan = planExpansion(sys, world, sys.enabled(world), { por: true, key: (w) => sys.key(w) });
 * const answers = plan.queries.map((k) => store.reachedBy(k, depth)); // or: await owner.ask(plan.queries, depth)
 * for (const s of finishExpansion(sys, plan, answers)) record(s.key, s.world, depth + 1);
 */
import { InternalError } from '../util/errors';
import type { Checkable, Step, World } from './checkable';

/** A successor of the state being expanded: the step taken, the state it leads to, and that state's key. */
export interface Successor<W extends World, K = string> {
  readonly step: Step;
  readonly world: W;
  readonly key: K;
}

export interface ExpansionOptions<W extends World, K = string> {
  /** Use the system's persistent sets (with the bfs cycle proviso unless the system is acyclic). */
  readonly por: boolean;
  /** The key successors are named by: `sys.key` in one process, the portable key across processes, a slot of a thread's own. */
  readonly key: (world: W) => K;
}

/** Phase one of a state's expansion: the successors computed so far, and the keys whose depth decides the rest. */
export interface ExpansionPlan<W extends World, K = string> {
  readonly world: W;
  readonly enabled: readonly Step[];
  /** Successors along the persistent set's steps (all enabled steps if no reduction applies). */
  readonly reduced: readonly Successor<W, K>[];
  /** Whether `reduced` leaves some enabled step out (then the proviso decides). */
  readonly partial: boolean;
  /** Keys to ask "reached at depth ≤ d?" about (the expanded state's depth d), in order; empty if nothing is to decide. */
  readonly queries: readonly K[];
}

function successors<W extends World, K>(sys: Checkable<W>, world: W, steps: readonly Step[], key: (w: W) => K): Successor<W, K>[] {
  return steps.map((step) => {
    const next = sys.apply(world, step);
    return { step, world: next, key: key(next) };
  });
}

/** Phase one: apply the persistent set's steps (or all), and say which successor keys the proviso must ask about. */
export function planExpansion<W extends World, K = string>(
  sys: Checkable<W>,
  world: W,
  enabled: readonly Step[],
  opts: ExpansionOptions<W, K>,
): ExpansionPlan<W, K> {
  const steps = opts.por && enabled.length >= 2 ? sys.ample(world, enabled) : enabled;
  const reduced = successors(sys, world, steps, opts.key);
  const partial = steps.length < enabled.length;
  // An acyclic system has no cycle for the proviso to break: nothing to ask.
  const queries = partial && !sys.acyclic ? reduced.map((s) => s.key) : [];
  return { world, enabled, reduced, partial, queries };
}

/**
 * Phase two: every successor to record at depth d+1, in enabled-step order. The bfs cycle proviso: if a step
 * of the persistent set leads to a state reached at depth ≤ d (`answers[i]` for `plan.queries[i]`), expand
 * fully. Sound whatever the timing: on a cycle of the reduced graph, its state s of greatest depth d has its
 * successor on the cycle at depth ≤ d, recorded before s is expanded, so s is fully expanded.
 */
export function finishExpansion<W extends World, K = string>(
  sys: Checkable<W>,
  plan: ExpansionPlan<W, K>,
  answers: readonly boolean[],
  key: (w: W) => K,
): readonly Successor<W, K>[] {
  if (answers.length !== plan.queries.length) throw new InternalError(`finishExpansion: ${answers.length} answers for ${plan.queries.length} queries`);
  if (!plan.partial || !answers.some((a) => a)) return plan.reduced;
  const done = new Map<Step, Successor<W, K>>(plan.reduced.map((s) => [s.step, s]));
  const rest = plan.enabled.filter((st) => !done.has(st));
  const more = new Map<Step, Successor<W, K>>(successors(sys, plan.world, rest, key).map((s) => [s.step, s]));
  return plan.enabled.map((st) => (done.get(st) ?? more.get(st)) as Successor<W, K>);
}

/** A violation found at a depth, with the key that orders it among those of the same depth. */
export interface Found {
  readonly depth: number;
  readonly key: string;
}

/**
 * Which of two violations a level-synchronous search reports: the shallower, then the least key (portable
 * key across processes), so the choice never depends on which worker was first.
 */
export function preferFound<F extends Found>(a: F | undefined, b: F): F {
  if (a === undefined || b.depth < a.depth) return b;
  if (b.depth > a.depth) return a;
  return b.key < a.key ? b : a;
}
