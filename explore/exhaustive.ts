/**
 * Exhaustive search over canonical states: breadth-first (the first violation found is a shortest one)
 * or depth-first (less memory on wide graphs). Safety invariants are checked on each new state, the
 * quiescence invariants (liveness at the end of every maximal run) on each state with no step left.
 */
import type { Step } from '../bus/engine';
import type { Checkable } from './checkable';
import { ExactVisitedSet } from './exact-visited';
import { FingerprintSet } from './fingerprint-set';
import { FifoFrontier, LifoFrontier, type Frontier } from './frontier';
import { PeakMemory } from './memory';
import type { SearchOptions, SearchResult } from './result';
import { traceFromKeys } from './trace-builder';
import type { VisitedSet } from './visited';

export function exhaustive(sys: Checkable, opts: SearchOptions, visited: VisitedSet = opts.exact ? new ExactVisitedSet() : new FingerprintSet()): SearchResult {
  const t0 = performance.now();
  const mem = new PeakMemory();
  const frontier: Frontier = opts.strategy === 'dfs' ? new LifoFrontier(opts.spill) : new FifoFrontier(opts.spill);
  let transitions = 0;
  let maxDepth = 0;
  let lastProgress = t0;
  let expanded = 0;

  const elapsed = () => (performance.now() - t0) / 1000;
  const stats = () => ({ states: visited.size, transitions, seconds: +elapsed().toFixed(3), depth: maxDepth, peakMemoryMB: mem.mb });
  const end = (r: Omit<SearchResult, 'stats' | 'visited'>): SearchResult => ({ ...r, stats: stats(), visited: visited.summary(frontier.spilled) });
  const successors = (key: string) => {
    const w = sys.decode(key);
    return sys.enabled(w).map((st) => sys.key(sys.apply(w, st)));
  };
  const report = (key: string, invariant: string, message: string): SearchResult => {
    const { entries, final } = traceFromKeys(sys, visited.path(key, successors));
    // The message was written for the representative state; say it again for the concrete CPUs of the trace.
    const concrete = sys.violation(final) ?? sys.quiescentViolation(final);
    return end({ result: 'violation', violation: { invariant, message: concrete?.invariant === invariant ? concrete.message : message, trace: entries } });
  };

  const init = sys.initial();
  const root = sys.key(init);
  visited.add(root, null);
  const v0 = sys.violation(init);
  if (v0) return report(root, v0.invariant, v0.message);
  frontier.push(root, 0);

  for (;;) {
    const entry = frontier.pop();
    if (entry === undefined) break;
    const n = entry.key;
    const world = sys.decode(n);
    const depth = entry.depth;
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
      const m = sys.key(next);
      if (!visited.add(m, n)) continue;
      if (depth + 1 > maxDepth) maxDepth = depth + 1;
      const v = sys.violation(next);
      if (v) return report(m, v.invariant, v.message);
      frontier.push(m, depth + 1);
    }
    if ((++expanded & 1023) === 0) {
      const now = performance.now();
      mem.sample();
      if (opts.maxStates !== undefined && visited.size >= opts.maxStates) return end({ result: 'incomplete', violation: null, stoppedBy: 'max-states' });
      if (opts.maxSeconds !== undefined && (now - t0) / 1000 >= opts.maxSeconds) 
        return end({ result: 'incomplete', violation: null, stoppedBy: 'max-seconds' });
      if (opts.onProgress && now - lastProgress >= 1000) {
        lastProgress = now;
        const s = (now - t0) / 1000;
        opts.onProgress({ states: visited.size, statesPerSecond: Math.round(visited.size / s), depth: maxDepth, frontier: frontier.size, seconds: s });
      }
    }
  }
  if (opts.maxStates !== undefined && visited.size > opts.maxStates) return end({ result: 'incomplete', violation: null, stoppedBy: 'max-states' });
  return end({ result: 'verified', violation: null });
}
