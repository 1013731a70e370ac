/**
 * A chart without the states a run can never enter: transitions on events nobody in the system sends
 * (CPU PM's CPU_PM_ENTER when --cpu-pm is 0) are dropped, then every state not reachable from the
 * initial state (entering a compound state enters its initial child; a state's ancestors are entered
 * with it) is hidden. Reachability over the remaining transitions ignores guards, so it over-approximates:
 * a state a run can enter is never hidden. `keep` names states to show regardless (where actors start).
 */
import type { Chart, ChartEdge, ChartState } from './statechart';

export interface Pruned {
  readonly chart: Chart;
  /** Paths of the hidden states, parents before children. */
  readonly hidden: readonly string[];
}

const ancestors = (path: string): string[] => path.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'));

export function pruneChart(chart: Chart, neverSent: ReadonlySet<string>, keep: readonly string[] = []): Pruned {
  const byPath = new Map<string, ChartState>();
  const index = (s: ChartState) => {
    byPath.set(s.path, s);
    s.children.forEach(index);
  };
  index(chart.root);
  const edges = chart.edges.filter((e) => !neverSent.has(e.event));
  const reached = new Set<string>(['']);
  const todo: string[] = [];
  const enter = (path: string) => {
    for (const p of ancestors(path)) {
      if (reached.has(p) || !byPath.has(p)) continue;
      reached.add(p);
      todo.push(p);
    }
    const init = byPath.get(path)?.initial;
    if (init !== undefined) enter(init);
  };
  if (chart.root.initial !== undefined) enter(chart.root.initial);
  for (const k of keep) if (byPath.has(k)) enter(k);
  todo.push('');
  for (let src = todo.pop(); src !== undefined; src = todo.pop()) {
    for (const e of edges) if (e.source === src) for (const t of e.targets) enter(t);
  }
  if (reached.size === byPath.size) return { chart: { ...chart, edges }, hidden: [] };
  const strip = (s: ChartState): ChartState => ({ ...s, children: s.children.filter((c) => reached.has(c.path)).map(strip) });
  const shown = (e: ChartEdge) => reached.has(e.source) && e.targets.every((t) => reached.has(t));
  return { chart: { ...chart, root: strip(chart.root), edges: edges.filter(shown) }, hidden: [...byPath.keys()].filter((p) => !reached.has(p)) };
}
