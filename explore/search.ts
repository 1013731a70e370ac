/**
 * The one search loop (as stateright's checker with its `CheckerVisitor`): every state reachable from the
 * initial one, each stored once by its canonical key, breadth first or depth first, with the
 * partial-order reduction's persistent sets and its cycle proviso if asked. What to do with the states
 * (check invariants, call a user's check, record a graph) is a visitor; exhaustive search,
 * `forAllInterleavings`, the lasso's graph pass and the tests' graph helper are such visitors. Where the
 * states live is a store (store.ts): a state is named by the store's reference `R` (a key for the fingerprint
 * and exact sets of exhaustive search, a number for the graph passes).
 */
import { Budget, type StopReason } from './budget';
import type { Checkable, Step, World } from './checkable';
import { finishExpansion, planExpansion } from './level-sync';
import { Proviso } from './proviso';
import type { SearchStore } from './store';
import { present } from '../util/errors';

/** What a visitor does at each event of the search; returning a value (not undefined) stops the search with it. */
export interface Visitor<W extends World, T, R = number> {
  /** A state seen for the first time: its reference, key and depth (the initial state has depth 0). */
  reached?(n: R, key: string, world: W, depth: number): T | undefined;
  /** A state about to be expanded, with every step enabled in it (before any reduction), and its depth. */
  expand?(n: R, world: W, enabled: readonly Step[], depth: number): T | undefined;
  /** A step taken from state `n` to the state of key `key` (`m` its reference, undefined if it was already seen). */
  edge?(n: R, step: Step, key: string, m: R | undefined): void;
}

export interface LoopOptions {
  order: 'bfs' | 'dfs';
  /** Use the system's persistent sets (with the cycle proviso unless the system is acyclic). */
  por: boolean;
  /** States at this depth are visited (`expand` is called) but their successors are not generated: a bounded search. */
  maxDepth?: number;
  /** States, seconds, memory and interrupt (budget.ts), shared with whatever else the run does; default: no limit but memory. */
  budget?: Budget;
  /** Called every thousand expansions or so (e.g. to sample memory). */
  onTick?: () => void;
}

/** How a search ended: stopped by its visitor with a value, ran out of states, or hit a limit. */
export type LoopEnd<T> = { readonly kind: 'stopped'; readonly value: T } | { readonly kind: 'complete' } | { readonly kind: 'limit'; readonly by: StopReason };

export interface LoopResult<T> {
  readonly end: LoopEnd<T>;
  /** Steps applied. */
  readonly transitions: number;
  /** Greatest depth reached. */
  readonly depth: number;
  /** States expanded. */
  readonly expanded: number;
  /** Frontier entries the store's frontier spilled. */
  readonly spilled: number;
}

export function search<W extends World, T, R>(sys: Checkable<W>, visited: SearchStore<R>, opts: LoopOptions, visitor: Visitor<W, T, R>): LoopResult<T> {
  const budget = opts.budget ?? new Budget();
  const frontier = visited.frontier(opts.order);
  let transitions = 0;
  let maxDepth = 0;
  let expanded = 0;
  const done = (end: LoopEnd<T>): LoopResult<T> => ({ end, transitions, depth: maxDepth, expanded, spilled: frontier.spilled });
  const limit = (by: StopReason): LoopResult<T> => done({ kind: 'limit', by: budget.stop(by) });

  const keyOf = (w: W): string => sys.key(w);
  const proviso = new Proviso(opts.order, visited, opts.por && !sys.acyclic);

  const init = sys.initial();
  const rootKey = sys.key(init);
  const root = present(visited.add(rootKey, undefined, 0), 'root added to an empty store');
  const s0 = visitor.reached?.(root, rootKey, init, 0);
  if (s0 !== undefined) return done({ kind: 'stopped', value: s0 });
  frontier.push(root, 0);

  for (;;) {
    const entry = frontier.pop();
    if (entry === undefined) return done({ kind: 'complete' });
    const why = budget.check();
    if (why) return limit(why);
    budget.progress(visited.size, maxDepth, frontier.size);
    const { ref: n, depth } = entry;
    const world = sys.decode(visited.keyOf(n));
    const enabled = sys.enabled(world);
    const sx = visitor.expand?.(n, world, enabled, depth);
    if (sx !== undefined) return done({ kind: 'stopped', value: sx });
    expanded++;
    if (opts.maxDepth !== undefined && depth >= opts.maxDepth) continue;
    const plan = planExpansion(sys, world, enabled, { por: opts.por, key: keyOf });
    const answers = plan.queries.map((k) => proviso.reached(k, depth));
    for (const { step: st, world: next, key } of finishExpansion(sys, plan, answers, keyOf)) {
      transitions++;
      // Exactly maxStates states are stored: a new one past the limit stops the search.
      if (budget.atStateLimit(visited.size) && !visited.has(key)) return limit('max-states');
      const m = visited.add(key, n, depth + 1);
      visitor.edge?.(n, st, key, m);
      if (m === undefined) continue;
      proviso.added(key, depth + 1);
      if (depth + 1 > maxDepth) maxDepth = depth + 1;
      const s = visitor.reached?.(m, key, next, depth + 1);
      if (s !== undefined) return done({ kind: 'stopped', value: s });
      frontier.push(m, depth + 1);
    }
    if ((expanded & 1023) === 0) opts.onTick?.();
  }
}
