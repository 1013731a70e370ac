/**
 * Liveness on systems with cycles: a *fair lasso*. The quiescence invariants say what must hold once a run
 * ends; a run that never ends must not loop forever without it either. We look for a cycle, reachable from
 * the initial state, whose every state breaks a quiescence invariant and which is weakly fair: every actor
 * enabled in all of its states takes a step inside it. Method: the explicit state graph (no partial-order
 * reduction), Tarjan's SCCs of its "bad" states, and for a fair SCC a cycle through all its states and
 * through one internal step of every continuously enabled actor.
 */
import { Budget } from './budget';
import type { Violation, World } from '../bus/engine';
import type { Checkable } from './checkable';

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
  world: World;
  parent: number;
  /** Successor node and the actor whose step leads there. */
  out: { to: number; actor: number }[];
  enabled: Set<number>;
  bad: Violation | null;
}

/** A fair lasso, null if there is none, or 'incomplete' if the budget (states, time, memory) runs out first. */
export function findFairLasso(sys: Checkable, budget: Budget = new Budget({ maxStates: 1_000_000 })): Lasso | null | 'incomplete' {
  const nodes: Node[] = [];
  const index = new Map<string, number>();
  const add = (world: World, parent: number): number => {
    const key = sys.key(world);
    let n = index.get(key);
    if (n === undefined) {
      n = nodes.push({ key, world, parent, out: [], enabled: new Set(), bad: null }) - 1;
      index.set(key, n);
    }
    return n;
  };
  add(sys.initial(), -1);
  for (let n = 0; n < nodes.length; n++) {
    if (budget.atStateLimit(nodes.length - 1) ? budget.stop('max-states') : budget.check()) return 'incomplete';
    const node = nodes[n];
    node.bad = sys.quiescentViolation(node.world);
    for (const st of sys.enabled(node.world)) {
      node.enabled.add(st.actor);
      node.out.push({ to: add(sys.apply(node.world, st), n), actor: st.actor });
    }
  }

  for (const scc of badSccs(nodes)) {
    const inside = new Set(scc);
    const internal = scc.flatMap((u) => nodes[u].out.filter((e) => inside.has(e.to)).map((e) => ({ from: u, ...e })));
    if (internal.length === 0) continue; // a single state with no step back to itself
    const always = [...nodes[scc[0]].enabled].filter((a) => scc.every((u) => nodes[u].enabled.has(a)));
    const needed = always.map((a) => internal.find((e) => e.actor === a));
    if (needed.some((e) => e === undefined)) continue; // an actor always enabled here would eventually leave
    const start = scc.reduce((best, u) => (depth(nodes, u) < depth(nodes, best) ? u : best));
    // A closed walk through every state of the SCC, then one step of each always-enabled actor it lacks.
    const cycle = [start];
    let at = start;
    const goTo = (target: number) => {
      cycle.push(...pathWithin(nodes, inside, at, target).slice(1));
      at = target;
    };
    for (const u of scc) goTo(u);
    goTo(start);
    const stepped = (a: number) => cycle.some((u, i) => i > 0 && nodes[cycle[i - 1]].out.some((e) => e.to === u && e.actor === a));
    for (const e of needed) {
      if (stepped(e!.actor)) continue;
      goTo(e!.from);
      cycle.push(e!.to);
      at = e!.to;
      goTo(start);
    }
    if (cycle.length === 1) cycle.push(internal.find((e) => e.from === start)!.to);
    const stem: number[] = [];
    for (let u = start; u >= 0; u = nodes[u].parent) stem.push(u);
    stem.reverse();
    const bad = nodes[start].bad!;
    return { invariant: bad.invariant, message: `a fair cycle never gets there: ${bad.message}`, stem: stem.map((u) => nodes[u].key), cycle: cycle.map((u) => nodes[u].key) };
  }
  return null;
}

function depth(nodes: Node[], u: number): number {
  let d = 0;
  for (let v = u; nodes[v].parent >= 0; v = nodes[v].parent) d++;
  return d;
}

/** Shortest path from `from` to `to` through the states of `inside` (BFS). */
function pathWithin(nodes: Node[], inside: Set<number>, from: number, to: number): number[] {
  if (from === to) return [from];
  const prev = new Map<number, number>([[from, -1]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    for (const e of nodes[queue[i]].out) {
      if (!inside.has(e.to) || prev.has(e.to)) continue;
      prev.set(e.to, queue[i]);
      if (e.to === to) {
        const path = [to];
        for (let v = queue[i]; v !== -1; v = prev.get(v)!) path.push(v);
        return path.reverse();
      }
      queue.push(e.to);
    }
  }
  throw new Error('states of one SCC are connected');
}

/** Strongly connected components of the subgraph of bad states (iterative Tarjan). */
function badSccs(nodes: Node[]): number[][] {
  const idx = new Int32Array(nodes.length).fill(-1);
  const low = new Int32Array(nodes.length);
  const onStack = new Uint8Array(nodes.length);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < nodes.length; root++) {
    if (idx[root] >= 0 || !nodes[root].bad) continue;
    const work: { u: number; i: number }[] = [{ u: root, i: 0 }];
    idx[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length) {
      const top = work[work.length - 1];
      const edges = nodes[top.u].out;
      if (top.i < edges.length) {
        const v = edges[top.i++].to;
        if (!nodes[v].bad) continue;
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
          v = stack.pop()!;
          onStack[v] = 0;
          scc.push(v);
        } while (v !== top.u);
        out.push(scc);
      }
    }
  }
  return out;
}
