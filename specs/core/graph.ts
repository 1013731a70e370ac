/** Test helper: enumerate a whole state graph with the one search loop, for comparing reductions. */
import type { Checkable, World } from '../../explore/checkable';
import { search } from '../../explore/search';
import { MemoryVisitedSet } from '../../explore/numbered-states';

/**
 * Every state, every end state and every invariant broken anywhere (end states included), with or without
 * the persistent sets of the partial-order reduction. Keys are only comparable within one engine.
 */
export function everything<W extends World>(sys: Checkable<W>, por: boolean) {
  const quiet = new Set<string>();
  const faults = new Set<string>();
  const visited = new MemoryVisitedSet();
  search(
    sys,
    visited,
    { order: 'dfs', por },
    {
      reached: (_n, _key, world) => {
        const v = sys.violation(world);
        if (v) faults.add(v.invariant);
        return undefined;
      },
      expand: (n, world, enabled) => {
        if (enabled.length) return undefined;
        quiet.add(visited.keyOf(n));
        const q = sys.quiescentViolation(world);
        if (q) faults.add(q.invariant);
        return undefined;
      },
    },
  );
  return { states: visited.size, quiet, faults };
}
