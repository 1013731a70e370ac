/**
 * Liveness on machines with cycles: a run that never ends must not loop forever without reaching what the
 * quiescence invariants ask for, under weak fairness (an actor enabled all along a cycle takes a step on it).
 */
import { explore, replay } from '../../api/explore';
import { system } from '../../api/system';
import { TraceError } from '../../util/errors';
import { spinner } from './toys';

describe('fair lassos', () => {
  test('a cycle that keeps the goal waiting, and is fair, breaks the liveness invariant', () => {
    // FINISH is enabled only in state a: on the cycle a → b → a it is not enabled all along, so weak
    // fairness does not force it, and the worker can spin forever.
    const sys = system({ spec: spinner('a') });
    const r = explore(sys);
    expect(r.result).toBe('violation');
    expect(r.violation!.invariant).toBe('goal-reached');
    expect(r.violation!.message).toBe('a fair cycle never gets there: the goal is still waiting');
    const t = r.violation!.trace;
    expect(r.violation!.loop).toBe(1);
    expect(t.map((e) => e.event)).toEqual(['TOGGLE', 'TOGGLE']);
    // It replays, and the loop is checked.
    expect(replay(sys, t, r.violation!.loop).violation?.invariant).toBe('goal-reached');
    expect(() => replay(sys, t.slice(0, 1), 1)).toThrow(TraceError);
    // Without the loop it is just a run that has not ended yet.
    expect(replay(sys, t).violation).toBeNull();
  });
  test('an unfair cycle is not a counterexample: FINISH enabled all along the cycle must be taken', () => {
    const r = explore(system({ spec: spinner('always') }));
    expect(r.result).toBe('verified');
  });
  test('the same verdicts with every strategy and reduction of the exhaustive search', () => {
    for (const o of [{ por: false }, { symmetry: false }, { strategy: 'dfs' as const }]) {
      expect(explore(system({ spec: spinner('a') }), o).violation?.invariant).toBe('goal-reached');
      expect(explore(system({ spec: spinner('always') }), o).result).toBe('verified');
    }
  });
  test('the HYP model is acyclic: no lasso search, quiescence is exact', () => {
    expect(system({ design: 'trampoline', cpus: 2, hotplug: 1 }).spec.acyclic).toBe(true);
  });
  test('a bounded graph that is too large for the lasso search is incomplete, not verified', () => {
    const r = explore(system({ spec: spinner('always') }), { maxStates: 2 });
    expect(r.result).toBe('incomplete');
  });
});
