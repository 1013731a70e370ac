/**
 * The per-state semantics of the level-synchronous bfs (explore/level-sync.ts) and the bfs cycle proviso of the
 * one search loop: "expand fully if a step of the persistent set leads to a state reached at depth ≤ d", so that a
 * state first reached while level d is expanded (depth d + 1) does not count, whatever the expansion order.
 */
import type { Checkable, Step, World } from '../../explore/checkable';
import { ExactVisitedSet } from '../../explore/exact-visited';
import { fingerprint, fp } from '../../explore/fingerprint';
import { finishExpansion, planExpansion, preferFound } from '../../explore/level-sync';
import { search } from '../../explore/search';
import { KeyedStore } from '../../explore/store';

interface S {
  readonly s: string;
}

/**
 * A hand-made graph: each state lists (actor, target) steps; `ample` keeps the first actor's steps where
 * `reduce` says so. R → P, Q (depth 1); P → Y (reduced; full: also Z); Q → Y (reduced; full: also W); Y → R.
 */
function graph(acyclic: boolean): Checkable<S> & { applied: string[] } {
  const edges: Record<string, [number, string][]> = {
    R: [
      [0, 'P'],
      [1, 'Q'],
    ],
    P: [
      [0, 'Y'],
      [1, 'Z'],
    ],
    Q: [
      [0, 'Y'],
      [1, 'W'],
    ],
    Y: [[0, 'R']],
    Z: [],
    W: [],
  };
  const reduce = new Set(['P', 'Q']);
  const applied: string[] = [];
  const sys: Checkable<S> & { applied: string[] } = {
    applied,
    actorCount: 2,
    acyclic,
    readFields: [],
    initial: () => ({ s: 'R' }),
    enabled: (w) => edges[w.s].map(([actor, to]) => ({ actor, from: actor, event: { type: to } })),
    ample: (w, steps) => (reduce.has(w.s) ? steps.filter((st) => st.actor === 0) : steps),
    apply: (w, st: Step) => {
      applied.push(`${w.s}>${st.event.type}`);
      return { s: st.event.type };
    },
    key: (w) => w.s,
    decode: (k) => ({ s: k }),
    portableKey: (w) => w.s,
    portableFingerprint: (w, out) => {
      fingerprint(w.s);
      out.set(fp);
    },
    fromPortableKey: (k) => ({ s: k }),
    violation: () => null,
    quiescentViolation: () => null,
    snapshot: () => {
      throw new Error('not used');
    },
    actorId: (a) => `a${a}`,
  };
  return sys;
}

const states = (sys: Checkable<S>, order: 'bfs' | 'dfs', por: boolean): string[] => {
  const seen: string[] = [];
  search(sys, new KeyedStore(new ExactVisitedSet()), { order, por }, { reached: (_n, key) => void seen.push(key) });
  return seen.sort();
};

describe('level-sync: two-phase expansion', () => {
  test('a reduced expansion asks about its persistent set\'s successors; "reached at depth ≤ d" expands fully, in enabled order', () => {
    const sys = graph(false);
    const w = { s: 'P' } as S;
    const plan = planExpansion(sys, w, sys.enabled(w), { por: true, key: (x) => sys.key(x) });
    expect(plan.partial).toBe(true);
    expect(plan.queries).toEqual(['Y']);
    expect(finishExpansion(sys, plan, [false], (x) => sys.key(x)).map((s) => s.key)).toEqual(['Y']);
    sys.applied.length = 0;
    expect(finishExpansion(sys, plan, [true], (x) => sys.key(x)).map((s) => s.key)).toEqual(['Y', 'Z']);
    // The persistent set's successor is reused, not recomputed.
    expect(sys.applied).toEqual(['P>Z']);
    expect(() => finishExpansion(sys, plan, [], (x) => sys.key(x))).toThrow(/0 answers for 1 queries/);
  });

  test('nothing to ask: no reduction, a full persistent set, or an acyclic system', () => {
    const cyclic = graph(false);
    const p = { s: 'P' } as S;
    expect(planExpansion(cyclic, p, cyclic.enabled(p), { por: false, key: (x) => x.s }).queries).toEqual([]);
    const r = { s: 'R' } as S;
    expect(planExpansion(cyclic, r, cyclic.enabled(r), { por: true, key: (x) => x.s }).queries).toEqual([]);
    const acyclic = graph(true);
    const plan = planExpansion(acyclic, p, acyclic.enabled(p), { por: true, key: (x) => x.s });
    expect(plan.partial).toBe(true);
    expect(plan.queries).toEqual([]);
  });

  test('the reported violation: least depth, then least key, whatever the order they were met in', () => {
    const a = { depth: 3, key: 'b' };
    const b = { depth: 3, key: 'a' };
    const c = { depth: 2, key: 'z' };
    for (const order of [
      [a, b, c],
      [c, b, a],
      [b, c, a],
    ])
      expect(order.reduce<typeof a | undefined>((m, f) => preferFound(m, f), undefined)).toBe(c);
    expect(preferFound(a, b)).toBe(b);
    expect(preferFound(b, a)).toBe(b);
  });
});

describe('the bfs cycle proviso of the one search loop', () => {
  test('bfs: a successor first reached in the level being expanded (depth d + 1) does not force a full expansion', () => {
    // P reaches Y first (depth 2); Q's persistent set also leads to Y, which is not at depth ≤ 1: Q stays reduced, W unreached.
    expect(states(graph(false), 'bfs', true)).toEqual(['P', 'Q', 'R', 'Y']);
  });

  test('without reduction every state is reached', () => {
    expect(states(graph(false), 'bfs', false)).toEqual(['P', 'Q', 'R', 'W', 'Y', 'Z']);
  });

  test('dfs keeps "already seen": the second of P and Q is expanded after Y was seen, so fully', () => {
    expect(states(graph(false), 'dfs', true)).toHaveLength(5);
  });
});
