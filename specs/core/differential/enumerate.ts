/**
 * An independent enumerator of a Model (model.ts): a plain breadth-first search over its states, written
 * from the semantics in the README and bus/spec.ts, sharing no code with the engine. A state is each
 * actor's program state, the shared variables, and a FIFO channel per (sender, receiver). In a state an
 * actor may receive the oldest message of each sender (a message it has no handler for is consumed and
 * ignored) or take one of its own enabled steps.
 */
import { inClass, targets, type Inv, type Model, type Trans } from './model';

interface St {
  readonly locals: readonly number[];
  readonly vars: readonly number[];
  /** channels[from][to]: message types, oldest first. */
  readonly chans: readonly (readonly (readonly number[])[])[];
}

export interface Enumeration {
  readonly states: number;
  readonly orbits: number;
  /** Some run reaches a violation (a broken safety invariant, an end state breaking a quiescent one, or a fair cycle breaking one throughout). */
  readonly violated: boolean;
  /** Steps to the nearest broken safety invariant or end state breaking a quiescent one (-1: none). */
  readonly shortest: number;
  /** Only a fair cycle breaks a quiescent invariant (no finite counterexample). */
  readonly onlyLasso: boolean;
  readonly acyclic: boolean;
}

const ser = (s: St): string => JSON.stringify([s.locals, s.vars, s.chans]);

function apply(m: Model, s: St, a: number, t: Trans, recv?: { from: number }, chosen?: number): St {
  const locals = s.locals.slice();
  const vars = s.vars.slice();
  const chans = s.chans.map((row) => row.map((c) => c.slice()));
  if (recv) chans[recv.from][a].shift();
  locals[a] = t.to;
  if (t.write) vars[t.write.v] = t.write.c;
  if (t.send) for (const b of chosen !== undefined ? [chosen] : targets(m, a, t.send.target)) chans[a][b].push(t.send.msg);
  return { locals, vars, chans };
}

function successors(m: Model, s: St): { actor: number; next: St }[] {
  const out: { actor: number; next: St }[] = [];
  const n = m.programOf.length;
  for (let a = 0; a < n; a++) {
    const p = m.programs[m.programOf[a]];
    for (let from = 0; from < n; from++) {
      const c = s.chans[from][a];
      if (!c.length) continue;
      const h = p.onMsg[s.locals[a]][c[0]];
      out.push({ actor: a, next: apply(m, s, a, h ?? { to: s.locals[a] }, { from }) });
    }
    for (const t of p.own[s.locals[a]]) {
      if (t.guard && s.vars[t.guard.v] !== t.guard.c) continue;
      // A send to "each other member" is one step that sends to all of them; to "one member", a step per member.
      if (t.send?.target === -2) for (const b of targets(m, a, -2)) out.push({ actor: a, next: apply(m, s, a, t, undefined, b) });
      else out.push({ actor: a, next: apply(m, s, a, t) });
    }
  }
  return out;
}

function broken(m: Model, s: St, inv: Inv): boolean {
  if (inv.form === 'var') return s.vars[inv.v] === inv.c;
  if (inv.form === 'actorIn') return s.locals.some((l, a) => m.programOf[a] === inv.program && l === inv.state);
  return s.locals.filter((l) => l === inv.state).length >= inv.k;
}

/** The least serialisation over all permutations of the symmetry class (senders and receivers renamed too). */
function canonical(m: Model, s: St): string {
  const cls = m.programOf.map((_, a) => a).filter((a) => inClass(m, a));
  if (cls.length < 2) return ser(s);
  let best: string | null = null;
  for (const order of perms(cls)) {
    const to = m.programOf.map((_, a) => a); // to[old] = new
    cls.forEach((old, k) => {
      to[old] = order[k];
    });
    const locals: number[] = [];
    s.locals.forEach((l, old) => {
      locals[to[old]] = l;
    });
    const chans = s.chans.map((row) => row.map(() => [] as number[]));
    s.chans.forEach((row, f) => {
      row.forEach((c, t) => {
        chans[to[f]][to[t]] = c.slice();
      });
    });
    const k = ser({ locals, vars: s.vars, chans });
    if (best === null || k < best) best = k;
  }
  return best!;
}

function perms(xs: readonly number[]): number[][] {
  if (xs.length <= 1) return [xs.slice()];
  return xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

export function enumerate(m: Model): Enumeration {
  const n = m.programOf.length;
  const init: St = { locals: Array(n).fill(0), vars: Array(m.vars).fill(0), chans: Array.from({ length: n }, () => Array.from({ length: n }, () => [])) };
  const index = new Map<string, number>([[ser(init), 0]]);
  const states: St[] = [init];
  const dist: number[] = [0];
  const edges: { to: number; actor: number }[][] = [];
  for (let i = 0; i < states.length; i++) {
    edges[i] = [];
    for (const { actor, next } of successors(m, states[i])) {
      const k = ser(next);
      let j = index.get(k);
      if (j === undefined) {
        j = states.push(next) - 1;
        index.set(k, j);
        dist[j] = dist[i] + 1;
      }
      edges[i].push({ to: j, actor });
    }
  }
  const safety = m.invariants.filter((i) => i.kind === 'safety');
  const quiescent = m.invariants.filter((i) => i.kind === 'quiescent');
  let shortest = -1;
  states.forEach((s, i) => {
    const bad = safety.some((inv) => broken(m, s, inv)) || (edges[i].length === 0 && quiescent.some((inv) => broken(m, s, inv)));
    if (bad && (shortest < 0 || dist[i] < shortest)) shortest = dist[i];
  });
  const acyclic = !hasCycle(edges);
  const lasso =
    shortest < 0 &&
    !(acyclic && m.declareAcyclic) &&
    quiescent.some((inv) =>
      fairBadCycle(
        edges,
        states.map((s) => broken(m, s, inv)),
      ),
    );
  return {
    states: states.length,
    orbits: new Set(states.map((s) => canonical(m, s))).size,
    violated: shortest >= 0 || lasso,
    shortest,
    onlyLasso: lasso,
    acyclic,
  };
}

function hasCycle(edges: readonly { to: number }[][]): boolean {
  const colour = new Uint8Array(edges.length); // 0 new, 1 on the path, 2 done
  const visit = (u: number): boolean => {
    colour[u] = 1;
    for (const e of edges[u]) {
      if (colour[e.to] === 1) return true;
      if (colour[e.to] === 0 && visit(e.to)) return true;
    }
    colour[u] = 2;
    return false;
  };
  return edges.some((_, u) => colour[u] === 0 && visit(u));
}

/** A strongly connected set of bad states with an internal step, where every actor enabled throughout steps inside. */
function fairBadCycle(edges: readonly { to: number; actor: number }[][], bad: readonly boolean[]): boolean {
  const n = edges.length;
  // Reachability within bad states, by a plain closure (the graphs are small).
  const reach = (u: number): Set<number> => {
    const seen = new Set<number>();
    const todo = [u];
    while (todo.length) {
      const v = todo.pop()!;
      for (const e of edges[v])
        if (bad[e.to] && !seen.has(e.to)) {
          seen.add(e.to);
          todo.push(e.to);
        }
    }
    return seen;
  };
  const r = Array.from({ length: n }, (_, u) => (bad[u] ? reach(u) : new Set<number>()));
  const done = new Set<number>();
  for (let u = 0; u < n; u++) {
    if (!bad[u] || done.has(u) || !r[u].has(u)) continue;
    const scc = [...r[u]].filter((v) => r[v].has(u));
    for (const v of scc) done.add(v);
    const inside = new Set(scc);
    const enabled = (v: number) => new Set(edges[v].map((e) => e.actor));
    const always = [...enabled(scc[0])].filter((a) => scc.every((v) => enabled(v).has(a)));
    if (always.every((a) => scc.some((v) => edges[v].some((e) => e.actor === a && inside.has(e.to))))) return true;
  }
  return false;
}
