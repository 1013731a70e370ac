/**
 * What a portable key cannot carry is refused, never silently changed: shared memory, contexts or messages that
 * are not plain JSON data, and a globalKey that gives one key to two memories JSON tells apart.
 */
import { createMachine, emit } from 'xstate';
import { Engine } from '../../../bus/engine';
import type { BusSpec } from '../../../bus/spec';
import { UnsupportedFeatureError } from '../../../util/errors';

/** One actor that bumps shared memory once; `globalKey` names the memory, `write` makes the next one. */
function spec<G>(initialGlobal: G, globalKey: (g: G) => string, write: (g: G) => G, context: object = {}): BusSpec<G> {
  const machine = createMachine({ context, initial: 'a', states: { a: { on: { GO: { target: 'b', actions: emit({ type: 'bump' }) } } }, b: {} } });
  return {
    name: 'portable refusals',
    actors: [{ id: 'x', machine }],
    initialGlobal,
    globalKey,
    offers: (view, a) => (view.snapshot(a).matches('a') ? [{ type: 'GO' }] : []),
    write: (g) => write(g),
    invariants: [],
  };
}

test('shared memory or a context that is not plain data is refused when a portable key is asked for', () => {
  const withMap = new Engine(
    spec(
      new Map([[1, 2]]),
      () => 'm',
      (g) => g,
    ),
  );
  expect(() => withMap.portableKey(withMap.initial())).toThrow(UnsupportedFeatureError);
  expect(() => withMap.portableKey(withMap.initial())).toThrow(/shared memory holds an object of class Map/);
  const withNaN = new Engine(
    spec(
      { n: 0 },
      (g) => String(g.n),
      (g) => g,
      { v: Number.NaN },
    ),
  );
  expect(() => withNaN.portableKey(withNaN.initial())).toThrow(/actor "x"'s context holds the number NaN/);
  // The search itself does not need portable keys: the same systems still explore.
  expect(withMap.key(withMap.initial())).toBe(withMap.key(withMap.initial()));
});

test('a globalKey coarser than the memory is caught when another process rebuilds a state', () => {
  const coarse = () =>
    spec(
      { n: 0 },
      () => 'same',
      (g) => ({ n: g.n + 1 }),
    );
  const a = new Engine(coarse());
  const step = a.enabled(a.initial())[0];
  const after = a.apply(a.initial(), step);
  // In A the bumped memory was never interned apart from {n: 0}: both have globalKey 'same', so A names it {n: 0}.
  const pk = a.portableKey(after);
  expect(pk).toContain('"g":{"n":0}');
  // A process that met {n: 1} first under the same key: rebuilding A's state there is refused, not silently made {n: 1}.
  const fresh = new Engine(
    spec(
      { n: 1 },
      () => 'same',
      (g) => g,
    ),
  );
  expect(() => fresh.fromPortableKey(pk)).toThrow(/globalKey gives one key to two different shared memories/);
});
