/**
 * Exhaustive search over canonical states: breadth-first (the first violation found is a shortest one)
 * or depth-first (less memory on wide graphs). Safety invariants are checked on each new state, the
 * quiescence invariants (liveness at the end of every maximal run) on each state with no step left.
 */
import type { Step } from '../bus/engine';
import type { Checkable } from './checkable';
import { FifoFrontier, LifoFrontier, type Frontier } from './frontier';
import { Budget, type StopReason } from './budget';
import { PeakMemory } from './memory';
import type { SearchOptions, SearchResult } from './result';
import { traceFromKeys } from './trace-builder';
import { MemoryVisitedSet, type VisitedSet } from './visited';

export function exhaustive(sys: Checkable, opts: SearchOptions, visited: VisitedSet = new MemoryVisitedSet()): SearchResult {
  const t0 = performance.now();
  const mem = new PeakMemory();
  const frontier: Frontier = opts.strategy === 'dfs' ? new LifoFrontier() : new FifoFrontier();
  const budget = opts.budget ?? new Budget(opts, opts.onProgress);
  let transitions = 0;
  let maxDepth = 0;

  const elapsed = () => (performance.now() - t0) / 1000;
  const stats = () => ({ states: visited.size, transitions, seconds: +elapsed().toFixed(3), depth: maxDepth, peakMemoryMB: mem.mb });
  const stop = (why: StopReason): SearchResult => ({ result: 'incomplete', violation: null, stats: stats(), stoppedBy: budget.stop(why) });
  const report = (n: number, invariant: string, message: string): SearchResult => {
    const keys: string[] = [];
    for (let i = n; i >= 0; i = visited.parentOf(i)) keys.push(visited.keyOf(i));
    keys.reverse();
    const { entries, final } = traceFromKeys(sys, keys);
    // The message was written for the representative state; say it again for the concrete CPUs of the trace.
    const concrete = sys.violation(final) ?? sys.quiescentViolation(final);
    return { result: 'violation', violation: { invariant, message: concrete?.invariant === invariant ? concrete.message : message, trace: entries }, stats: stats() };
  };

  const init = sys.initial();
  const root = visited.add(sys.key(init), -1, 0);
  const v0 = sys.violation(init);
  if (v0) return report(root, v0.invariant, v0.message);
  frontier.push(root);

  for (;;) {
    const n = frontier.pop();
    if (n === undefined) break;
    const why = budget.check();
    if (why) return stop(why);
    budget.progress(visited.size, maxDepth, frontier.size);
    const world = sys.decode(visited.keyOf(n));
    const depth = visited.depthOf(n);
    const enabled = sys.enabled(world);
    if (enabled.length === 0) {
      const q = sys.quiescentViolation(world);
      if (q) return report(n, q.invariant, q.message);
      continue;
    }
    let steps: readonly Step[] = opts.por ? sys.ample(world, enabled) : enabled;
    if (steps.length < enabled.length && !sys.acyclic) {
      // Cycle proviso: a reduced state must reach something new, or it is expanded fully.
      const fresh = steps.some((st) => !visited.has(sys.key(sys.apply(world, st))));
      if (!fresh) steps = enabled;
    }
    for (const st of steps) {
      transitions++;
      const next = sys.apply(world, st);
      const key = sys.key(next);
      if (budget.atStateLimit(visited.size) && !visited.has(key)) return stop('max-states');
      const m = visited.add(key, n, depth + 1);
      if (m < 0) continue;
      if (depth + 1 > maxDepth) maxDepth = depth + 1;
      const v = sys.violation(next);
      if (v) return report(m, v.invariant, v.message);
      frontier.push(m);
    }
  }
  return { result: 'verified', violation: null, stats: stats() };
}
