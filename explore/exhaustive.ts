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
 */
import { Budget } from './budget';
import type { Checkable, Violation, World } from './checkable';
import type { SearchOptions, SearchResult } from './result';
import { search, type LoopOptions, type LoopResult, type Visitor } from './search';
import { traceFromKeys } from './trace-builder';
import { MemoryVisitedSet, type VisitedSet } from './visited';

interface Found {
  readonly n: number;
  readonly violation: Violation;
}

/**
 * Check every new state's safety invariants and every end state's quiescence invariants. Breadth first, a
 * safety violation is met when its state is reached (depth d + 1) while end states of depth d are still
 * waiting to be expanded: it is held until the search moves past depth d, so that the first violation
 * reported is one of least depth.
 */
function checker<W extends World>(sys: Checkable<W>, visited: VisitedSet, order: 'bfs' | 'dfs'): { visitor: Visitor<W, Found>; held: () => Found | null } {
  let held: Found | null = null;
  const visitor: Visitor<W, Found> = {
    reached: (n, _key, world, depth) => {
      const v = held ? null : sys.violation(world);
      if (!v) return undefined;
      if (order === 'dfs' || depth === 0) return { n, violation: v };
      held = { n, violation: v };
      return undefined;
    },
    expand: (n, world, enabled) => {
      if (held && visited.depthOf(n) >= visited.depthOf(held.n)) return held;
      if (enabled.length > 0) return undefined;
      const q = sys.quiescentViolation(world);
      return q ? { n, violation: q } : undefined;
    },
  };
  return { visitor, held: () => held };
}

/** Run the checker; a held violation still counts if the search ends before reaching its depth. */
function check<W extends World>(sys: Checkable<W>, visited: VisitedSet, order: 'bfs' | 'dfs', loop: LoopOptions): LoopResult<Found> {
  const c = checker(sys, visited, order);
  const r = search(sys, visited, loop, c.visitor);
  const held = c.held();
  return r.end.kind === 'complete' && held ? { ...r, end: { kind: 'stopped', value: held } } : r;
}

export function exhaustive<W extends World>(sys: Checkable<W>, opts: SearchOptions, visited: VisitedSet = new MemoryVisitedSet()): SearchResult {
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
  if (r.end.kind === 'limit') return { result: 'incomplete', stats: stats(), stoppedBy: r.end.by };
  if (r.end.kind === 'complete') return { result: 'verified', stats: stats() };
  let found = r.end.value;
  let from = visited;
  let shortest = order === 'bfs';
  if (order === 'bfs' && opts.por) {
    // The reduced graph's first counterexample need not be a shortest one: look for a shorter one without reduction.
    const depth = visited.depthOf(found.n);
    const full = new MemoryVisitedSet();
    const again =
      depth > 0 ? check(sys, full, 'bfs', { order: 'bfs', por: false, maxDepth: depth - 1, budget }) : null;
    if (again?.end.kind === 'stopped') {
      found = again.end.value;
      from = full;
    } else if (again?.end.kind === 'limit') shortest = false;
  }
  const keys: string[] = [];
  for (let i = found.n; i >= 0; i = from.parentOf(i)) keys.push(from.keyOf(i));
  const { entries, final } = traceFromKeys(sys, keys.reverse());
  // The message was written for the representative state; say it again for the concrete actors of the trace.
  const concrete = sys.violation(final as W) ?? sys.quiescentViolation(final as W);
  const { invariant, message } = found.violation;
  return {
    result: 'violation',
    violation: { invariant, message: concrete?.invariant === invariant ? concrete.message : message, trace: entries, shortest },
    stats: stats(),
  };
}
