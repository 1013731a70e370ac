/**
 * Differential test of the explorer: random small systems (model.ts) run through hypsim in all six settings
 * (bfs/dfs × {symmetry and POR, symmetry only, POR only, neither}) and through an independent enumerator
 * written here (enumerate.ts). They must agree on the verdict; state and orbit counts must be exact; every
 * counterexample must replay; bfs traces must be shortest. Bounded and seeded in `npm test`; nightly:
 * `HYPSIM_DIFF_RUNS=5000 npm run test:differential` (HYPSIM_DIFF_SEED picks another seed).
 */
import fc from 'fast-check';
import { explore, replay, system } from '../../../index';
import { enumerate } from './enumerate';
import { models, type Model } from './model';
import { toSpec } from './to-spec';

const runs = Number(process.env.HYPSIM_DIFF_RUNS ?? 400);
const seed = Number(process.env.HYPSIM_DIFF_SEED ?? 20261130);

const settings = [
  { symmetry: true, por: true },
  { symmetry: true, por: false },
  { symmetry: false, por: true },
  { symmetry: false, por: false },
] as const;

function check(m: Model): void {
  const want = enumerate(m);
  // Counts on the system without invariants, so that every search runs to the end.
  const bare = system({ spec: toSpec(m, want.acyclic, false) });
  expect(explore(bare, { symmetry: false, por: false }).stats.states).toBe(want.states);
  expect(explore(bare, { symmetry: true, por: false }).stats.states).toBe(want.orbits);
  const sys = system({ spec: toSpec(m, want.acyclic) });
  for (const strategy of ['bfs', 'dfs'] as const)
    for (const s of settings) {
      const r = explore(sys, { strategy, ...s });
      const where = `${strategy} symmetry=${s.symmetry} por=${s.por}`;
      expect(`${where}: ${r.result}`).toBe(`${where}: ${want.violated ? 'violation' : 'verified'}`);
      if (!r.violation) continue;
      const again = replay(sys, r.violation.trace, r.violation.loop);
      expect(again.violation?.invariant).toBe(r.violation.invariant);
      if (strategy === 'bfs' && r.violation.loop === undefined) {
        expect(`${where}: ${new Set(r.violation.trace.map((e) => e.step)).size} steps`).toBe(`${where}: ${want.shortest} steps`);
        expect(r.violation.shortest).toBe(true);
      }
      if (r.violation.loop !== undefined) expect(want.onlyLasso).toBe(true);
    }
}

test(`hypsim agrees with an independent enumerator on ${runs} random systems, in all six settings`, () => {
  fc.assert(
    fc.property(models, (m) => check(m)),
    { numRuns: runs, seed, endOnFailure: true },
  );
});
