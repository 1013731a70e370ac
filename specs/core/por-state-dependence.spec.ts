/**
 * The same two steps commute in one state and not in another: the reduction's commutation check must be
 * made in the state at hand, never carried over from a state where the local states of the two actors were
 * the same but shared memory (or a third actor's local state) differed. A check that remembered its verdict
 * per pair of steps or per pair of local states would take P's step alone where Q's must come first, and
 * miss the violation; these tests then fail.
 */
import { emit, setup } from 'xstate';
import { explore, system, type BusSpec, type BusEvent } from '../../index';

interface Mem {
  armed: number;
  mode: number;
  x: number;
  y: number;
  z: number;
}
type SetEffect = { type: 'set'; name: keyof Mem; value: number };

/** One step, EVENT, writing `effects(event)`. */
const once = (event: string, effects: (e: BusEvent) => SetEffect[]) =>
  setup({ types: { emitted: {} as SetEffect } }).createMachine({
    initial: 'idle',
    states: {
      idle: { on: { [event]: { target: 'done', actions: effects({ type: event }).map((_, i) => emit(({ event: e }) => effects(e)[i])) } } },
      done: {},
    },
  });

/**
 * S arms P's proposal; M flips the mode; P sets x; Q (once armed) copies x into y if the mode is flipped
 * (else 0) and records the mode in z. P and Q commute before the flip and not after it. Every path to the
 * end state z = 1, y = 0 (Q copied in flipped mode before P set x) passes a state where P is proposed, the
 * mode is flipped and P and Q have not moved; bfs checks the same pair of local states unflipped first.
 */
function spec(flippedBy: 'memory' | 'actor'): BusSpec<unknown> {
  const s: BusSpec<Mem> = {
    name: `por-${flippedBy}`,
    actors: [
      { id: 'S', machine: once('ARM', () => [{ type: 'set', name: 'armed', value: 1 }]) },
      { id: 'M', machine: once('FLIP', () => (flippedBy === 'memory' ? [{ type: 'set', name: 'mode', value: 1 }] : [])) },
      { id: 'P', machine: once('SET_X', () => [{ type: 'set', name: 'x', value: 1 }]) },
      {
        id: 'Q',
        machine: once('COPY', (e) => [
          { type: 'set', name: 'y', value: (e.val as number) ?? 0 },
          { type: 'set', name: 'z', value: (e.mode as number) ?? 0 },
        ]),
      },
    ],
    initialGlobal: { armed: 0, mode: 0, x: 0, y: 0, z: 0 },
    globalKey: (g) => `${g.armed}${g.mode}${g.x}${g.y}${g.z}`,
    offers: (view, a) => {
      if (!view.snapshot(a).matches('idle')) return [];
      const type = ['ARM', 'FLIP', 'SET_X', 'COPY'][a];
      return type === 'COPY' && view.global.armed === 0 ? [] : [{ type }];
    },
    enrich: (view, _a, event) => {
      if (event.type !== 'COPY') return event;
      const flipped = flippedBy === 'memory' ? view.global.mode === 1 : view.snapshot(view.indexOf('M')).matches('done');
      return { ...event, val: flipped ? view.global.x : 0, mode: flipped ? 1 : 0 };
    },
    write: (g, e) => ({ ...g, [(e as SetEffect).name]: (e as SetEffect).value }),
    invariants: [
      {
        id: 'copied-after-x',
        description: 'Q never copies in flipped mode before P set x',
        kind: 'quiescent',
        check: (v) => (v.global.z === 1 && v.global.y === 0 ? 'Q copied x before P set it' : null),
      },
    ],
    independent: (view, a) => a === view.indexOf('P') && view.global.armed === 1,
    acyclic: true,
  };
  return s as BusSpec<unknown>;
}

describe.each(['memory', 'actor'] as const)('POR commutation is checked per state (flipped by %s)', (flippedBy) => {
  test.each(['bfs', 'dfs'] as const)('%s finds the violation with the reduction as without it', (strategy) => {
    const full = explore(system({ spec: spec(flippedBy) }), { strategy, por: false });
    const reduced = explore(system({ spec: spec(flippedBy) }), { strategy, por: true });
    expect(full.result).toBe('violation');
    expect(reduced.result).toBe('violation');
    expect(reduced.violation?.invariant).toBe('copied-after-x');
    expect(reduced.violation?.trace.map((e) => e.event)).toEqual(expect.arrayContaining(['FLIP', 'COPY', 'SET_X']));
  });

  test('the reduction is used where the steps commute (the test is not vacuous)', () => {
    const full = explore(system({ spec: spec(flippedBy) }), { por: false, maxStates: 1000 });
    const reduced = explore(system({ spec: spec(flippedBy) }), { por: true, maxStates: 1000 });
    expect(reduced.stats.states).toBeLessThan(full.stats.states);
  });
});
