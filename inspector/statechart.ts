/**
 * A statechart as plain data, read from an XState v5 machine definition (machine.root and its state
 * nodes): the state tree and every transition (event, guard, target). The inspector's diagrams and the
 * Mermaid/DOT exports are drawn from this, never by hand.
 */
import type { AnyStateMachine } from 'xstate';

export interface ChartState {
  /** Path below the root, dot-separated ('' for the root, 'boot-pgd.set-pgd'). */
  readonly path: string;
  readonly key: string;
  readonly type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Path of the initial child (compound states). */
  readonly initial?: string;
  readonly children: ChartState[];
}

export interface ChartEdge {
  readonly source: string;
  /** Target paths; empty for a targetless transition (it only runs actions). */
  readonly targets: readonly string[];
  /** Event type, or 'always' for an eventless transition. */
  readonly event: string;
  readonly guarded: boolean;
}

export interface Chart {
  /** The machine's id (XState `id`): 'cpu', 'kernel', 'hotplug', 'vm0'. */
  readonly machineId: string;
  readonly root: ChartState;
  readonly edges: readonly ChartEdge[];
}

interface NodeLike {
  readonly key: string;
  readonly id: string;
  readonly type: ChartState['type'];
  readonly states: Record<string, NodeLike>;
  readonly initial?: { target?: readonly NodeLike[] };
  readonly transitions: Map<string, readonly TransitionLike[]>;
  readonly always?: readonly TransitionLike[];
}

interface TransitionLike {
  readonly target?: readonly NodeLike[];
  readonly guard?: unknown;
  readonly eventType: string;
}

/** Read a machine's state tree and transitions. */
export function chartOf(machine: AnyStateMachine): Chart {
  const root: NodeLike = machine.root;
  const rootId = root.id;
  const rel = (n: NodeLike) => (n.id === rootId ? '' : n.id.slice(rootId.length + 1));
  const edges: ChartEdge[] = [];
  const visit = (n: NodeLike): ChartState => {
    const path = rel(n);
    const add = (event: string, ts: readonly TransitionLike[]) => {
      for (const t of ts) edges.push({ source: path, targets: (t.target ?? []).map(rel), event, guarded: t.guard !== undefined });
    };
    for (const [event, ts] of n.transitions) add(event, ts);
    if (n.always?.length) add('always', n.always);
    const init = n.initial?.target?.[0];
    return {
      path,
      key: n.key,
      type: n.type,
      ...(init ? { initial: rel(init) } : {}),
      children: Object.values(n.states ?? {}).map(visit),
    };
  };
  return { machineId: rootId, root: visit(root), edges };
}

/** Every state of a chart, depth first (the root first). */
export function allStates(c: Chart): ChartState[] {
  const out: ChartState[] = [];
  const go = (s: ChartState) => {
    out.push(s);
    s.children.forEach(go);
  };
  go(c.root);
  return out;
}

/**
 * The leaf paths of a snapshot's state value: 'off' → ['off'], {'boot-pgd': 'set-pgd'} →
 * ['boot-pgd.set-pgd'] (several for parallel states).
 */
export function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const p = prefix + k;
    if (v === undefined || (typeof v === 'object' && v !== null && Object.keys(v).length === 0)) return [p];
    return leafPaths(v, `${p}.`);
  });
}

/** A structural signature: machines with the same shape (vm0 … vm7) share one diagram. */
export function chartSignature(c: Chart): string {
  return JSON.stringify([{ ...c.root, key: '' }, c.edges]);
}

/** The machines of a system, one chart per distinct shape, and which actors run each. */
export function chartsOf(actors: readonly { id: string; machine: AnyStateMachine }[]): { name: string; chart: Chart; actors: string[] }[] {
  const out: { name: string; chart: Chart; actors: string[]; sig: string }[] = [];
  const byMachine = new Map<AnyStateMachine, number>();
  for (const a of actors) {
    let i = byMachine.get(a.machine);
    if (i === undefined) {
      const chart = chartOf(a.machine);
      const sig = chartSignature(chart);
      i = out.findIndex((c) => c.sig === sig);
      if (i < 0) i = out.push({ name: chart.machineId.replace(/\d+$/, ''), chart, actors: [], sig }) - 1;
      byMachine.set(a.machine, i);
    }
    out[i].actors.push(a.id);
  }
  return out.map(({ name, chart, actors: ids }) => ({ name, chart, actors: ids }));
}
