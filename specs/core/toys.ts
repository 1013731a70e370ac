/** Toy systems and a helper the core's specs share (specs/core, specs/cli, specs/api). */
import { createMachine } from 'xstate';
import type { BusSpec } from '../../bus/spec';

/** A toy system with no shared memory: the three fields every such spec would repeat, filled in. */
export function noMemory(s: Omit<BusSpec<null>, 'initialGlobal' | 'globalKey' | 'write'>): BusSpec<null> {
  return { ...s, initialGlobal: null, globalKey: () => '', write: (g) => g };
}

/**
 * A worker that toggles between a and b forever, and a goal that FINISH completes: with FINISH enabled only
 * while the worker is in a, a fair lasso keeps the goal waiting forever; always enabled, fairness finishes it.
 */
export function spinner(finishOnlyIn: 'a' | 'always'): BusSpec<null> {
  const worker = createMachine({ id: 'worker', initial: 'a', states: { a: { on: { TOGGLE: 'b' } }, b: { on: { TOGGLE: 'a' } } } });
  const goal = createMachine({ id: 'goal', initial: 'waiting', states: { waiting: { on: { FINISH: 'done' } }, done: {} } });
  return noMemory({
    name: `spinner (FINISH ${finishOnlyIn === 'a' ? 'only while the worker is in a' : 'always enabled'})`,
    actors: [
      { id: 'worker', machine: worker },
      { id: 'goal', machine: goal },
    ],
    offers(view, a) {
      if (view.actors[a].id === 'worker') return [{ type: 'TOGGLE' }];
      const ready = finishOnlyIn === 'always' || view.snapshot(0).matches('a');
      return view.snapshot(a).matches('waiting') && ready ? [{ type: 'FINISH' }] : [];
    },
    invariants: [
      {
        id: 'goal-reached',
        description: 'the goal is done when nothing is left to do',
        kind: 'quiescent',
        check: (view) => (view.snapshot(1).matches('done') ? null : 'the goal is still waiting'),
      },
    ],
  });
}
