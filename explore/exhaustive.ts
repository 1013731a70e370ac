/**
 * Exhaustive search over canonical states: breadth-first or depth-first (less memory on wide graphs), on the
 * one search loop (search.ts). Safety invariants are checked on each new state, the quiescence invariants
 * (liveness at the end of every maximal run) on each state with no step left.
 *
 * Shortest: a breadth-first search without reduction finds a shortest counterexample. With the
 * partial-order reduction the first one found may be longer (the reduced graph skips interleavings), so
 * bfs then searches again without the reduction for a strictly shorter one (bounded by the depth found):
 * the reported trace is a shortest one in the full graph (`shortest: true`), and the same trace as before
 * when the reduced graph's was already shortest. Symmetry keeps depths, so it stays on.
 *
 * States are stored by key (store.ts): 64-bit fingerprints by default, full keys with `exact`; the frontier
 * spills to `opts.spill` past its in-memory share. A counterexample is rebuilt from the visited set's parent
 * chain, re-executed forward when only fingerprints are kept (docs/scale.md).
 */
import { Budget } from './budget';
import type { Checkable, Violation, World } from './checkable';
import { ExactVisitedSet } from './exact-visited';
import { FingerprintSet } from './fingerprint-set';
import type { SearchOptions, SearchResult } from './result';
import { search, type LoopOptions, type LoopResult, type Visitor } from './search';
import { KeyedStore } from './store';
import { traceFromKeys } from './trace-builder';

/** A violation met in the state of key `key` at `depth`. */
interface Found {
  readonly key: string;
  readonly depth: number;
  readonly violation: Violation;
}

/**
 * Check every new state's safety invariants and every end state's quiescence invariants. Breadth first, a
 * safety violation is met when its state is reached (depth d + 1) while end states of depth d are still
 * waiting to be expanded: it is held until the search moves past depth d, so that the first violation
 * reported is one of least depth.
 */
function checker<W extends World>(sys: Checkable<W>, order: 'bfs' | 'dfs'): { visitor: Visitor<W, Found, string>; held: () => Found | null } {
  let held: Found | null = null;
  const visitor: Visitor<W, Found, string> = {
    reached: (key, _key, world, depth) => {
      const v = held ? null : sys.violation(world);
      if (!v) return undefined;
      if (order === 'dfs' || depth === 0) return { key, depth, violation: v };
      held = { key, depth, violation: v };
      return undefined;
    },
    expand: (key, world, enabled, depth) => {
      if (held && depth >= held.depth) return held;
      if (enabled.length > 0) return undefined;
      const q = sys.quiescentViolation(world);
      return q ? { key, depth, violation: q } : undefined;
    },
  };
  return { visitor, held: () => held };
}

/** Run the checker; a held violation still counts if the search ends before reaching its depth. */
function check<W extends World>(sys: Checkable<W>, visited: KeyedStore, order: 'bfs' | 'dfs', loop: LoopOptions): LoopResult<Found> {
  const c = checker(sys, order);
  const r = search(sys, visited, loop, c.visitor);
  const held = c.held();
  return r.end.kind === 'complete' && held ? { ...r, end: { kind: 'stopped', value: held } } : r;
}

export function exhaustive<W extends World>(sys: Checkable<W>, opts: SearchOptions): SearchResult {
  const store = () => new KeyedStore(opts.exact ? new ExactVisitedSet() : new FingerprintSet(), opts.spill);
  const visited = store();
  const t0 = performance.now();
  const order = opts.strategy === 'dfs' ? 'dfs' : 'bfs';
  // One budget for the run: the re-search for a shorter trace below spends from it too.
  const budget = opts.budget ?? new Budget(opts, opts.onProgress);
  const loop = { order, por: opts.por, budget, onTick: () => budget.sampleRss() } as const;
  const r: LoopResult<Found> = check(sys, visited, order, loop);
  const stats = () => ({
    states: visited.size,
    transitions: r.transitions,
    seconds: +((performance.now() - t0) / 1000).toFixed(3),
    depth: r.depth,
    peakMemoryMB: budget.peakMemoryMB,
  });
  let spilled = r.spilled;
  const summary = () => visited.summary(spilled);
  if (r.end.kind === 'limit') return { result: 'incomplete', stats: stats(), stoppedBy: r.end.by, visited: summary() };
  if (r.end.kind === 'complete') return { result: 'verified', stats: stats(), visited: summary() };
  let found = r.end.value;
  let from = visited;
  let shortest = order === 'bfs';
  if (order === 'bfs' && opts.por) {
    // The reduced graph's first counterexample need not be a shortest one: look for a shorter one without reduction.
    const depth = found.depth;
    const full = store();
    const again = depth > 0 ? check(sys, full, 'bfs', { order: 'bfs', por: false, maxDepth: depth - 1, budget }) : null;
    spilled += again?.spilled ?? 0;
    if (again?.end.kind === 'stopped') {
      found = again.end.value;
      from = full;
    } else if (again?.end.kind === 'limit') shortest = false;
  }
  // Every successor, not only the reduced ones: the path's steps are among them.
  const successors = (key: string) => {
    const w = sys.decode(key);
    return sys.enabled(w).map((st) => sys.key(sys.apply(w, st)));
  };
  const { entries, final } = traceFromKeys(sys, from.path(found.key, successors));
  // The message was written for the representative state; say it again for the concrete actors of the trace.
  const concrete = sys.violation(final as W) ?? sys.quiescentViolation(final as W);
  const { invariant, message } = found.violation;
  return {
    result: 'violation',
    violation: { invariant, message: concrete?.invariant === invariant ? concrete.message : message, trace: entries, shortest },
    stats: stats(),
    visited: summary(),
  };
}
