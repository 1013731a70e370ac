/**
 * Liveness on systems with cycles: a *fair lasso*. The quiescence invariants say what must hold once a run
 * ends; a run that never ends must not loop forever without it either. We look for a cycle, reachable from
 * the initial state, whose every state breaks a quiescence invariant and which is weakly fair: every actor
 * enabled in all of its states takes a step inside it. Method: the explicit state graph (no partial-order
 * reduction, built by the one search loop), Tarjan's SCCs of its "bad" states, and for a fair SCC the
 * shortest stem to its state nearest the initial state and a short fair cycle from there (fairCycle).
 */
import { Budget } from './budget';
import type { Checkable, Violation, World } from './checkable';
import { InternalError, present } from '../util/errors';
import { search } from './search';
import { MemoryVisitedSet } from './numbered-states';

export interface Lasso {
  invariant: string;
  message: string;
  /** Keys from the initial state to the first state of the cycle (inclusive). */
  stem: string[];
  /** Keys around the cycle, starting and ending at the stem's last state. */
  cycle: string[];
}

interface Node {
  key: string;
  parent: number;
  /** Successor node and the actor whose step leads there. */
  out: { to: number; actor: number }[];
  enabled: Set<number>;
  /** The quiescence invariants this state breaks. */
  bad: readonly Violation[];
}

/** The explicit state graph (no reduction), built by the one search loop; null if the budget runs out first. */
function stateGraph<W extends World>(sys: Checkable<W>, budget: Budget): Node[] | null {
  const nodes: Node[] = [];
  const index = new Map<string, number>();
  const visited = new MemoryVisitedSet();
  const r = search(
    sys,
    visited,
    { order: 'bfs', por: false, budget },
    {
      reached: (n, key) => {
        index.set(key, n);
        nodes[n] = { key, parent: visited.parentOf(n), out: [], enabled: new Set(), bad: [] };
        return undefined;
      },
      expand: (n, world, enabled) => {
        nodes[n].bad = sys.quiescentViolations?.(world) ?? [sys.quiescentViolation(world)].filter((v): v is Violation => v !== null);
        for (const st of enabled) nodes[n].enabled.add(st.actor);
        return undefined;
      },
      edge: (n, st, key, m) => {
        nodes[n].out.push({ to: m ?? present(index.get(key), 'number of a seen state'), actor: st.actor });
      },
    },
  );
  return r.end.kind === 'limit' ? null : nodes;
}

/** A fair lasso, null if there is none, or 'incomplete' if the budget (states, time, memory) runs out first. */
export function findFairLasso<W extends World>(sys: Checkable<W>, budget: Budget = new Budget({ maxStates: 1_000_000 })): Lasso | null | 'incomplete' {
  const nodes = stateGraph(sys, budget);
  if (!nodes) return 'incomplete';
  const ids = [...new Set(nodes.flatMap((n) => n.bad.map((v) => v.invariant)))];
  for (const id of ids) {
    const lasso = lassoFor(nodes, id);
    if (lasso) return lasso;
  }
  return null;
}

/** A fair cycle every state of which breaks invariant `id`, with its stem, or null. */
function lassoFor(nodes: Node[], id: string): Lasso | null {
  const isBad = (u: number) => nodes[u].bad.some((v) => v.invariant === id);
  for (const scc of badSccs(nodes, isBad)) {
    const inside = new Set(scc);
    const internal = scc.flatMap((u) => nodes[u].out.filter((e) => inside.has(e.to)).map((e) => ({ from: u, ...e })));
    if (internal.length === 0) continue; // a single state with no step back to itself
    const always = [...nodes[scc[0]].enabled].filter((a) => scc.every((u) => nodes[u].enabled.has(a)));
    if (always.some((a) => !internal.some((e) => e.actor === a))) continue; // an actor always enabled here would eventually leave
    const start = scc.reduce((best, u) => (depth(nodes, u) < depth(nodes, best) ? u : best));
    const cycle = fairCycle(nodes, inside, internal, start);
    const stem: number[] = [];
    for (let u = start; u >= 0; u = nodes[u].parent) stem.push(u);
    stem.reverse();
    // Report the first invariant (spec order) broken all around the cycle: the one a replay of the loop names.
    const bad = present(
      nodes[start].bad.find((v) => cycle.every((u) => nodes[u].bad.some((x) => x.invariant === v.invariant))),
      'invariant broken all around the cycle',
    );
    return {
      invariant: bad.invariant,
      message: `a fair cycle never gets there: ${bad.message}`,
      stem: stem.map((u) => nodes[u].key),
      cycle: cycle.map((u) => nodes[u].key),
    };
  }
  return null;
}

type Edge = { from: number; to: number; actor: number };

/**
 * A short weakly fair cycle through `start` inside one SCC: start with the shortest cycle back to `start`;
 * while some actor is enabled in every state of the cycle without stepping in it, splice in a detour
 * through one of its internal steps, or through a state where it is disabled (each detour settles one
 * actor for good, so this ends). Not always the
 * shortest fair cycle, but a few shortest paths instead of a walk through every state of the SCC.
 */
function fairCycle(nodes: Node[], inside: Set<number>, internal: readonly Edge[], start: number): number[] {
  // The cycle as its steps (which actor takes each matters: two actors' steps may lead to the same state).
  const hop = (e: Edge): Edge[] => [e, ...pathWithin(nodes, inside, e.to, start)];
  let steps = internal
    .filter((e) => e.from === start)
    .map(hop)
    .reduce((x, y) => (y.length < x.length ? y : x));
  for (;;) {
    const stepped = new Set(steps.map((e) => e.actor));
    const starving = [...nodes[start].enabled].find((a) => !stepped.has(a) && steps.every((e) => nodes[e.from].enabled.has(a)));
    if (starving === undefined) return [start, ...steps.map((e) => e.to)];
    const e = internal.find((x) => x.actor === starving);
    // No step of it stays inside: pass through a state where it is disabled instead (one exists, or the SCC was refused).
    const detour = e
      ? [...pathWithin(nodes, inside, start, e.from), ...hop(e)]
      : (() => {
          const off = present(
            [...inside].find((u) => !nodes[u].enabled.has(starving)),
            'state of the component where the starving actor is disabled',
          );
          const there = pathWithin(nodes, inside, start, off);
          return [...there, ...pathWithin(nodes, inside, off, start)];
        })();
    steps = [...steps, ...detour];
  }
}

function depth(nodes: Node[], u: number): number {
  let d = 0;
  for (let v = u; nodes[v].parent >= 0; v = nodes[v].parent) d++;
  return d;
}

/** Shortest path of steps from `from` to `to` through the states of `inside` (BFS); empty if from === to. */
function pathWithin(nodes: Node[], inside: Set<number>, from: number, to: number): Edge[] {
  if (from === to) return [];
  const prev = new Map<number, Edge | null>([[from, null]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    for (const e of nodes[queue[i]].out) {
      if (!inside.has(e.to) || prev.has(e.to)) continue;
      const edge = { from: queue[i], to: e.to, actor: e.actor };
      prev.set(e.to, edge);
      if (e.to === to) {
        const path: Edge[] = [];
        // Every state on the walk was reached, so has an entry; the start's is null.
        for (let x: Edge | null = edge; x; x = prev.get(x.from) ?? null) path.push(x);
        return path.reverse();
      }
      queue.push(e.to);
    }
  }
  throw new InternalError('states of one SCC are connected');
}

/** Strongly connected components of the subgraph of bad states (iterative Tarjan). */
function badSccs(nodes: Node[], isBad: (u: number) => boolean): number[][] {
  const idx = new Int32Array(nodes.length).fill(-1);
  const low = new Int32Array(nodes.length);
  const onStack = new Uint8Array(nodes.length);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < nodes.length; root++) {
    if (idx[root] >= 0 || !isBad(root)) continue;
    const work: { u: number; i: number }[] = [{ u: root, i: 0 }];
    idx[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length) {
      const top = work[work.length - 1];
      const edges = nodes[top.u].out;
      if (top.i < edges.length) {
        const v = edges[top.i++].to;
        if (!isBad(v)) continue;
        if (idx[v] < 0) {
          idx[v] = low[v] = counter++;
          stack.push(v);
          onStack[v] = 1;
          work.push({ u: v, i: 0 });
        } else if (onStack[v]) low[top.u] = Math.min(low[top.u], idx[v]);
        continue;
      }
      work.pop();
      if (work.length) low[work[work.length - 1].u] = Math.min(low[work[work.length - 1].u], low[top.u]);
      if (low[top.u] === idx[top.u]) {
        const scc: number[] = [];
        let v: number;
        do {
          v = present(stack.pop(), 'Tarjan stack entry');
          onStack[v] = 0;
          scc.push(v);
        } while (v !== top.u);
        out.push(scc);
      }
    }
  }
  return out;
}
