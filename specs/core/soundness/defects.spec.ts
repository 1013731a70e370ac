/**
 * The four defects of issue 12, each on a small user-defined system that gave a wrong answer before:
 * history states merged, delayed transitions silently never firing, symmetry keys that were not canonical
 * when interchangeable actors message each other, a partial-order reduction that hid a violation an
 * invariant could see, bfs traces that were not shortest under the reduction, and a fair lasso walking its
 * whole strongly connected component.
 */
import { emit, assign, setup, createMachine, type AnyMachineSnapshot } from 'xstate';
import { explore, replay, system, type BusSpec, type Invariant } from '../../../index';
import type { Engine, World } from '../../../bus/engine';
import { UnsupportedFeatureError } from '../../../util/errors';
import { noMemory } from '../toys';

type Ev = { type: string; to?: string };

/** A one-actor spec with no shared memory: `offers` reads the actor's snapshot only. */
function solo(machine: ReturnType<typeof createMachine>, offers: (s: AnyMachineSnapshot) => Ev[], invariants: Invariant<null>[]): BusSpec<unknown> {
  const spec = noMemory({
    name: 'solo',
    actors: [{ id: 'm', machine }],
    offers: (view, a) => offers(view.snapshot(a)),
    invariants,
  });
  return spec as BusSpec<unknown>;
}

describe('local state identity', () => {
  // a → b → PAUSE → paused → RESUME → (history) b: the paused state remembers where it was.
  const machine = setup({ types: { context: {} as { pausedOnce: boolean; resumed: boolean } } }).createMachine({
    context: { pausedOnce: false, resumed: false },
    initial: 'work',
    states: {
      work: {
        initial: 'a',
        on: { PAUSE: { target: 'paused', actions: assign({ pausedOnce: true }) } },
        states: { a: { on: { NEXT: 'b' } }, b: {}, hist: { type: 'history' } },
      },
      paused: { on: { RESUME: { target: 'work.hist', actions: assign({ resumed: true }) } } },
    },
  });
  const offers = (s: AnyMachineSnapshot): Ev[] => [
    ...(s.matches({ work: 'a' }) && !s.context.resumed ? [{ type: 'NEXT' }] : []),
    ...(s.matches('work') && !s.context.pausedOnce ? [{ type: 'PAUSE' }] : []),
    ...(s.matches('paused') ? [{ type: 'RESUME' }] : []),
  ];
  const backInB: Invariant<null> = {
    id: 'not-back-in-b',
    description: 'after a pause, the machine is not in b',
    kind: 'safety',
    checkActor: (_a, s) => (s.matches({ work: 'b' }) && s.context.resumed ? 'resumed into b' : null),
  };

  test.each(['bfs', 'dfs'] as const)('a history state is part of the state: the violation through it is found (%s)', (strategy) => {
    const sys = system({ spec: solo(machine, offers, [backInB]) });
    const r = explore(sys, { strategy });
    expect(r.result).toBe('violation');
    expect(r.violation?.trace.map((e) => e.event)).toEqual(['NEXT', 'PAUSE', 'RESUME']);
    expect(replay(sys, r.violation!.trace).violation?.invariant).toBe('not-back-in-b');
    expect(r.stats.states).toBe(6); // a, b, paused(a), paused(b), a resumed, b resumed
  });

  test('delayed transitions, invoked actors and sends outside the bus are refused up front with one line naming the actor', () => {
    const timed = createMachine({ id: 'timer', initial: 'a', states: { a: { after: { 1000: 'b' } }, b: {} } });
    expect(() => explore(system({ spec: solo(timed, () => [], []) }))).toThrow(UnsupportedFeatureError);
    expect(() => explore(system({ spec: solo(timed, () => [], []) }))).toThrow(
      /actor "m" \(machine "timer"\) state "timer.a" uses a delayed transition \(after\)/,
    );
    const child = createMachine({});
    const invoking = setup({ actors: { child } }).createMachine({ id: 'parent', initial: 'a', states: { a: { invoke: { src: 'child' } } } });
    expect(() => explore(system({ spec: solo(invoking, () => [], []) }))).toThrow(/invokes an actor/);
    const spawning = setup({ actors: { child } }).createMachine({
      id: 'spawner',
      context: { kids: [] as unknown[] },
      initial: 'a',
      states: { a: { on: { GO: { target: 'b', actions: assign({ kids: ({ spawn }) => [spawn('child')] }) } } }, b: {} },
    });
    expect(() => explore(system({ spec: solo(spawning, (s) => (s.matches('a') ? [{ type: 'GO' }] : []), []) }))).toThrow(/child actors after GO/);
  });
});

describe('exact symmetry with messages between interchangeable actors', () => {
  // Each of four peers may send one PING to any other peer (p0 → p1 with p2 → p3 is p0 → p3 with p2 → p1 renamed); a peer counts the PINGs it receives.
  const peer = setup({ types: { context: {} as { got: number }, events: {} as { type: 'SEND'; to: string } | { type: 'PING' } } }).createMachine({
    context: { got: 0 },
    initial: 'idle',
    on: { PING: { actions: assign({ got: ({ context }) => context.got + 1 }) } },
    states: {
      idle: { on: { SEND: { target: 'sent', actions: emit(({ event }) => ({ type: 'bus.send', to: event.to, event: { type: 'PING' } })) } } },
      sent: {},
    },
  });
  const ids = ['p0', 'p1', 'p2', 'p3'];
  const spec = (inv: Invariant<null>[]): BusSpec<unknown> => {
    const s = noMemory({
      name: 'peers',
      actors: ids.map((id) => ({ id, machine: peer, symmetry: 'peer' })),
      offers: (view, a) => (view.snapshot(a).matches('idle') ? ids.filter((_, b) => b !== a).map((to) => ({ type: 'SEND', to })) : []),
      invariants: inv,
    });
    return s as BusSpec<unknown>;
  };

  /** Orbits counted by brute force: every state of the unreduced graph, described plainly, minimised over all 24 permutations. */
  function orbits(engine: Engine<unknown>): number {
    const seen = new Map<string, World>([[engine.key(engine.initial()), engine.initial()]]);
    const todo = [engine.initial()];
    while (todo.length) {
      const w = todo.pop()!;
      for (const st of engine.enabled(w)) {
        const n = engine.apply(w, st);
        const k = engine.key(n);
        if (!seen.has(k)) {
          seen.set(k, n);
          todo.push(n);
        }
      }
    }
    const permutations = (xs: number[]): number[][] =>
      xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
    const perms = permutations(ids.map((_, i) => i));
    const describe = (w: World, p: number[]) => {
      const v = engine.view(w);
      const inv: number[] = [];
      p.forEach((old, nu) => {
        inv[old] = nu;
      });
      return JSON.stringify(
        p.map((old) => {
          const s = engine.snapshot(w, old);
          const pending = v
            .pendingFor(old)
            .map((m) => [inv[m.from], m.event.type])
            .sort();
          return [s.value, s.context, pending];
        }),
      );
    };
    return new Set([...seen.values()].map((w) => perms.map((p) => describe(w, p)).sort()[0])).size;
  }

  test('with symmetry on, stored states equal the number of orbits', () => {
    const sys = system({ spec: spec([]) });
    const full = explore(sys, { symmetry: false, por: false });
    const sym = explore(sys, { symmetry: true, por: false });
    expect(sym.symmetry).toBe(true);
    expect(sym.stats.states).toBe(orbits(sys.engine({ symmetry: false })));
    expect(sym.stats.states).toBeLessThan(full.stats.states);
  });

  test('a counterexample through states that tie on local state is rebuilt and replays (no "cannot be rebuilt")', () => {
    const twice: Invariant<null> = { id: 'at-most-one-ping', description: '', kind: 'safety', checkActor: (_a, s) => (s.context.got > 1 ? 'two pings' : null) };
    for (const strategy of ['bfs', 'dfs'] as const) {
      const sys = system({ spec: spec([twice]) });
      const r = explore(sys, { strategy, symmetry: true });
      expect(r.result).toBe('violation');
      expect(replay(sys, r.violation!.trace).violation?.invariant).toBe('at-most-one-ping');
    }
  });
});

describe('the partial-order reduction cannot hide what an invariant sees', () => {
  // A and B each raise their flag and lower it again; each is independent of the other in the doc's words
  // (no other actor reads, writes, sends to or observes what it changes), but the invariant reads both.
  const flag = (name: 'x' | 'y') =>
    setup({ types: { emitted: {} as { type: 'set'; name: string; value: number } } }).createMachine({
      initial: 'low',
      states: {
        low: { on: { RAISE: { target: 'high', actions: emit({ type: 'set', name, value: 1 }) } } },
        high: { on: { LOWER: { target: 'done', actions: emit({ type: 'set', name, value: 0 }) } } },
        done: {},
      },
    });
  const spec: BusSpec<{ x: number; y: number }> = {
    name: 'flags',
    actors: [
      { id: 'A', machine: flag('x') },
      { id: 'B', machine: flag('y') },
    ],
    initialGlobal: { x: 0, y: 0 },
    globalKey: (g) => `${g.x}${g.y}`,
    offers: (view, a) => {
      const s = view.snapshot(a);
      return s.matches('low') ? [{ type: 'RAISE' }] : s.matches('high') ? [{ type: 'LOWER' }] : [];
    },
    write: (g, e) => ({ ...g, [e.name as string]: e.value as number }),
    invariants: [
      { id: 'not-both', description: 'never both flags up', kind: 'safety', check: (v) => (v.global.y === 1 && v.global.x === 1 ? 'both up' : null) },
    ],
    independent: () => true,
    acyclic: true,
  };
  test.each(['bfs', 'dfs'] as const)('the two-step violation is found with the reduction on (%s)', (strategy) => {
    const r = explore(system({ spec: spec as BusSpec<unknown> }), { strategy, por: true });
    expect(r.result).toBe('violation');
    if (strategy === 'bfs') expect(r.violation?.trace).toHaveLength(2);
  });
});

describe('declared reads let the reduction work around what an invariant sees', () => {
  // A walks three steps alone, writing memory; C writes a flag in one step. The invariant reads C only.
  const walker = setup({ types: { emitted: {} as { type: 'set'; name: string; value: number } } }).createMachine({
    initial: 's0',
    states: {
      s0: { on: { STEP: { target: 's1', actions: emit({ type: 'set', name: 'a', value: 1 }) } } },
      s1: { on: { STEP: { target: 's2', actions: emit({ type: 'set', name: 'a', value: 2 }) } } },
      s2: { on: { STEP: 's3' } },
      s3: {},
    },
  });
  const flagger = createMachine({ initial: 'up', states: { up: { on: { DOWN: 'down' } }, down: {} } });
  const spec = (reads: Invariant<{ a: number }>['reads'], readsMore = false): BusSpec<unknown> => {
    const s: BusSpec<{ a: number }> = {
      name: 'reads',
      actors: [
        { id: 'A', machine: walker },
        { id: 'C', machine: flagger },
      ],
      initialGlobal: { a: 0 },
      globalKey: (g) => String(g.a),
      offers: (view, a) => (a === 0 ? (view.snapshot(0).matches('s3') ? [] : [{ type: 'STEP' }]) : view.snapshot(1).matches('up') ? [{ type: 'DOWN' }] : []),
      write: (g, e) => ({ ...g, a: e.value as number }),
      invariants: [
        {
          id: 'c-up',
          description: '',
          kind: 'safety',
          reads,
          check: (v) => ((readsMore ? v.global.a : 0) < 0 || v.snapshot(1).matches('down') ? 'C went down' : null),
        },
      ],
      independent: (_v, a) => a === 0,
      acyclic: true,
    };
    return s as BusSpec<unknown>;
  };

  test('an invariant that declares it reads only C lets A go first, and the violation is still found', () => {
    const sys = system({ spec: spec({ actors: ['C'] }) });
    const reduced = explore(sys, { por: true, strategy: 'dfs' });
    const full = explore(sys, { por: false, strategy: 'dfs' });
    expect(reduced.result).toBe('violation');
    expect(full.result).toBe('violation');
    const bare = system({
      spec: { ...spec({ actors: ['C'] }), invariants: [{ ...spec({ actors: ['C'] }).invariants[0], check: () => null }] } as BusSpec<unknown>,
    });
    expect(explore(bare, { por: true }).stats.states).toBeLessThan(explore(bare, { por: false }).stats.states);
  });

  test('without reads, or reading memory A writes, A is visible: no reduction', () => {
    for (const reads of [undefined, { actors: ['C'], memory: true }]) {
      const bare = spec(reads);
      const quiet = system({ spec: { ...bare, invariants: [{ ...bare.invariants[0], check: () => null }] } as BusSpec<unknown> });
      expect(explore(quiet, { por: true }).stats.states).toBe(explore(quiet, { por: false }).stats.states);
    }
  });

  test('reading what reads does not declare is refused with one line naming the invariant', () => {
    expect(() => explore(system({ spec: spec({ actors: ['C'] }, true) }))).toThrow(/invariant "c-up" read view.global, which its `reads` does not declare/);
  });
});

describe('shortest means shortest', () => {
  // A walks four steps on its own; C breaks its own invariant in two. The reduction lets A go first.
  const walker = (n: number) =>
    createMachine({
      initial: 's0',
      states: Object.fromEntries(Array.from({ length: n + 1 }, (_, i) => [`s${i}`, i < n ? { on: { STEP: `s${i + 1}` } } : {}])),
    });
  const spec = noMemory({
    name: 'walkers',
    actors: [
      { id: 'A', machine: walker(4) },
      { id: 'C', machine: walker(2) },
    ],
    offers: (view, a) => (view.snapshot(a).matches(a === 0 ? 's4' : 's2') ? [] : [{ type: 'STEP' }]),
    invariants: [{ id: 'c-not-done', description: '', kind: 'safety', checkActor: (a, s) => (a === 1 && s.matches('s2') ? 'C done' : null) }],
    independent: (_v, a) => a === 0,
    acyclic: true,
  });
  test('bfs with the reduction reports a shortest trace of the full graph', () => {
    const r = explore(system({ spec: spec as BusSpec<unknown> }), { strategy: 'bfs', por: true });
    expect(r.result).toBe('violation');
    expect(r.violation?.trace.map((e) => e.to)).toEqual(['C', 'C']);
    expect(r.violation?.shortest).toBe(true);
  });

  test('bfs reports an end state breaking a quiescence invariant before a deeper safety violation', () => {
    // GO, GO breaks a safety invariant at depth 2; STOP ends the run at depth 1 breaking a quiescence one.
    const m = createMachine({ initial: 's', states: { s: { on: { GO: 'g1', STOP: 'stopped' } }, g1: { on: { GO: 'g2' } }, g2: {}, stopped: {} } });
    const spec = noMemory({
      name: 'depths',
      actors: [{ id: 'X', machine: m }],
      offers: (view) => {
        const s = view.snapshot(0);
        return s.matches('s') ? [{ type: 'GO' }, { type: 'STOP' }] : s.matches('g1') ? [{ type: 'GO' }] : [];
      },
      invariants: [
        { id: 'not-g2', description: '', kind: 'safety', checkActor: (_a, s) => (s.matches('g2') ? 'g2' : null) },
        { id: 'not-stopped', description: '', kind: 'quiescent', check: (v) => (v.snapshot(0).matches('stopped') ? 'stopped' : null) },
      ],
    });
    const r = explore(system({ spec: spec as BusSpec<unknown> }), { strategy: 'bfs', por: false, symmetry: false });
    expect(r.violation?.invariant).toBe('not-stopped');
    expect(r.violation?.trace).toHaveLength(1);
  });

  test('a fair lasso has a short stem and a short cycle, not a walk through its whole component', () => {
    // S spins between two states forever; T goes round a ring of 20. Every state breaks "S is done".
    const ring = (n: number) =>
      createMachine({ initial: 'r0', states: Object.fromEntries(Array.from({ length: n }, (_, i) => [`r${i}`, { on: { STEP: `r${(i + 1) % n}` } }])) });
    const lasso = noMemory({
      name: 'spin',
      actors: [
        { id: 'S', machine: ring(2) },
        { id: 'T', machine: ring(20) },
      ],
      offers: () => [{ type: 'STEP' }],
      invariants: [{ id: 's-done', description: '', kind: 'quiescent', check: () => 'S never finishes' }],
    });
    const r = explore(system({ spec: lasso as BusSpec<unknown> }));
    expect(r.result).toBe('violation');
    const loop = r.violation!.loop!;
    expect(loop).toBe(1); // the initial state is on the cycle
    const cycle = r.violation!.trace.length - (loop - 1);
    expect(cycle).toBe(22); // 20 steps of T and 2 of S: the shortest fair cycle (the SCC has 40 states)
  });
});
