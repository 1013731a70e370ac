/**
 * Portable keys (Checkable.portableKey / fromPortableKey): two engines built independently from the same
 * system, that met the states in different orders (so their intern codes differ), name every orbit with the
 * same portable key and rebuild the same representative from it; symmetric states share a portable key and
 * different orbits never do (checked against orbits computed by brute force over every permutation).
 */
import fc from 'fast-check';
import { Engine, type World } from '../../../bus/engine';
import { encodeWorld } from '../../../bus/key';
import { enumerate } from '../differential/enumerate';
import { models, type Model } from '../differential/model';
import { toSpec } from '../differential/to-spec';
import { classPermutations, orbitId, reachAll } from './reach';

/** Orbits whose codes differed in the two engines, states with messages between symmetric actors: neither test may pass vacuously. */
let codesDiffered = 0;
let talkingTies = 0;

function portableKeysAgree(m: Model, seed: number): void {
  const acyclic = enumerate(m).acyclic;
  // Two independent builds of the system (distinct machine objects), explored in different orders.
  const a = new Engine(toSpec(m, acyclic, false), { symmetry: true });
  const b = new Engine(toSpec(m, acyclic, false), { symmetry: true });
  const inA = reachAll(a, 'bfs');
  // B first meets the states A found last (its codes come in another order), then explores on its own.
  const primed = inA.map((w) => a.portableKey(w)).reverse();
  const rebuilt = primed.map((pk) => b.fromPortableKey(pk));
  const inB = reachAll(b, 'shuffled-dfs', seed);
  rebuilt.forEach((w, i) => {
    expect(b.portableKey(w)).toBe(primed[i]);
  });
  expect(inB.length).toBe(inA.length);

  const keyInB = new Map<string, string>();
  for (const w of inB) {
    const pk = b.portableKey(w);
    const k = b.key(w);
    if (keyInB.has(pk)) expect(keyInB.get(pk)).toBe(k);
    keyInB.set(pk, k);
  }
  const keyInA = new Map<string, string>();
  for (const w of inA) {
    const pk = a.portableKey(w);
    expect(keyInB.has(pk)).toBe(true);
    keyInA.set(pk, a.key(w));
  }
  expect(keyInA.size).toBe(keyInB.size);

  for (const [pk, k] of keyInA) {
    // Rebuilt in either engine: that engine's representative (the very state `decode` gives), same portable key.
    const wa = a.fromPortableKey(pk);
    expect(encodeWorld(wa)).toBe(k);
    expect(a.key(wa)).toBe(k);
    const wb = b.fromPortableKey(pk);
    expect(encodeWorld(wb)).toBe(keyInB.get(pk));
    expect(b.portableKey(wb)).toBe(pk);
    if (keyInB.get(pk) !== k) codesDiffered++;
  }
}

function symmetricStatesShareKeys(m: Model): void {
  const e = new Engine(toSpec(m, enumerate(m).acyclic, false), { symmetry: true });
  const perms = classPermutations(e);
  const states = reachAll(e, 'bfs');
  const byOrbit = new Map<string, string>();
  const byKey = new Map<string, string>();
  for (const w of states) {
    const orbit = orbitId(e, w, perms);
    const pk = e.portableKey(w);
    // Equal orbits, equal portable keys; different orbits, different ones.
    if (byOrbit.has(orbit)) expect(byOrbit.get(orbit)).toBe(pk);
    else byOrbit.set(orbit, pk);
    if (byKey.has(pk)) expect(byKey.get(pk)).toBe(orbit);
    else byKey.set(pk, orbit);
    for (const p of perms) expect(e.portableKey(e.permute(w, p))).toBe(pk);
    const cls = new Set(e.classes.flat());
    const q = (JSON.parse(pk) as { q: [number, number, unknown][] }).q;
    if (q.some(([from, to]) => from !== to && cls.has(from) && cls.has(to))) talkingTies++;
  }
  expect(byOrbit.size).toBe(enumerate(m).orbits);
}

describe('portable keys', () => {
  test('two engines that met the states in different orders give every orbit the same portable key and representative', () => {
    fc.assert(
      fc.property(models, fc.integer({ min: 1, max: 1000 }), (m, seed) => portableKeysAgree(m, seed)),
      { numRuns: 120, seed: 20261130, endOnFailure: true },
    );
    expect(codesDiffered).toBeGreaterThan(0);
  });

  test('symmetric states (messages between symmetric actors included) share a portable key; different orbits never do', () => {
    fc.assert(
      fc.property(
        models.filter((m) => m.symmetric),
        (m) => symmetricStatesShareKeys(m),
      ),
      { numRuns: 120, seed: 20261201, endOnFailure: true },
    );
    expect(talkingTies).toBeGreaterThan(0);
  });
});
