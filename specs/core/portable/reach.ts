/** Test helpers for portable keys: every concrete (unreduced) state of an engine in a chosen order, and brute-force orbits. */
import type { Engine, World } from '../../../bus/engine';
import { encodeWorld } from '../../../bus/key';

/** A deterministic generator of numbers in [0, 1) (mulberry32), to shuffle exploration orders. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The exact key of a state (no symmetry): channels sorted, actors where they are. */
export function exactKey(e: Engine<unknown>, w: World): string {
  return encodeWorld(
    e.permute(
      w,
      w.locals.map((_, i) => i),
    ),
  );
}

/**
 * Every reachable concrete state, found by applying steps (no reduction at all): breadth-first, or
 * depth-first with the successors of each state shuffled, so that two engines meet states (and intern
 * codes) in different orders.
 */
export function reachAll(e: Engine<unknown>, order: 'bfs' | 'shuffled-dfs', seed = 1): World[] {
  const random = rng(seed);
  const seen = new Set<string>();
  const out: World[] = [];
  const todo: World[] = [e.initial()];
  seen.add(exactKey(e, e.initial()));
  while (todo.length) {
    const w = order === 'bfs' ? todo.shift()! : todo.pop()!;
    out.push(w);
    const next = e.enabled(w).map((s) => e.apply(w, s));
    if (order === 'shuffled-dfs')
      for (let i = next.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [next[i], next[j]] = [next[j], next[i]];
      }
    for (const n of next) {
      const k = exactKey(e, n);
      if (!seen.has(k)) {
        seen.add(k);
        todo.push(n);
      }
    }
  }
  return out;
}

function* perms(xs: readonly number[]): Generator<number[]> {
  if (xs.length <= 1) {
    yield xs.slice();
    return;
  }
  for (let i = 0; i < xs.length; i++) for (const p of perms([...xs.slice(0, i), ...xs.slice(i + 1)])) yield [xs[i], ...p];
}

/** Every placement of the actors that permutes each symmetry class within itself (perm[position] = actor). */
export function classPermutations(e: Engine<unknown>): number[][] {
  let out: number[][] = [Array.from({ length: e.actorCount }, (_, i) => i)];
  for (const cls of e.classes)
    out = out.flatMap((base) =>
      [...perms(cls)].map((order) => {
        const next = base.slice();
        cls.forEach((p, k) => {
          next[p] = order[k];
        });
        return next;
      }),
    );
  return out;
}

/** The orbit of a state by brute force: the least exact key over every permutation (comparable within one engine only). */
export function orbitId(e: Engine<unknown>, w: World, permutations: readonly number[][]): string {
  let best: string | null = null;
  for (const p of permutations) {
    const k = encodeWorld(e.permute(w, p));
    if (best === null || k < best) best = k;
  }
  return best!;
}
