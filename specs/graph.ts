/** Test helper: enumerate a whole state graph, for comparing reductions. */
import type { Checkable } from '../explore/checkable';

/**
 * Every state, every end state and every invariant broken anywhere (end states included), with or without
 * the persistent sets of the partial-order reduction. Keys are only comparable within one engine.
 */
export function everything(sys: Checkable, por: boolean) {
  const seen = new Set<string>([sys.key(sys.initial())]);
  const quiet = new Set<string>();
  const faults = new Set<string>();
  const todo = [sys.initial()];
  while (todo.length) {
    const w = todo.pop()!;
    const v = sys.violation(w);
    if (v) faults.add(v.invariant);
    const en = sys.enabled(w);
    if (!en.length) {
      quiet.add(sys.key(w));
      const q = sys.quiescentViolation(w);
      if (q) faults.add(q.invariant);
    }
    for (const st of por ? sys.ample(w, en) : en) {
      const n = sys.apply(w, st);
      const k = sys.key(n);
      if (!seen.has(k)) {
        seen.add(k);
        todo.push(n);
      }
    }
  }
  return { states: seen.size, quiet, faults };
}
