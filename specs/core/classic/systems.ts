/**
 * Classic concurrency problems, each written twice: as hypsim user machines (guarded commands, one step a
 * Promela statement or d_step) and as a Promela model for SPIN. Monitors (`#ifdef PROPS`) check in SPIN
 * what the invariants check in hypsim; end states are labelled `end_…` so that SPIN's invalid-end-state
 * check is hypsim's quiescence check.
 */
import type { Invariant, WorldView } from '../../../index';
import type { Classic, Proc } from './commands';

type Vals = Record<string, number>;

const pc = (v: WorldView<Vals>, id: string): string => String(v.snapshot(v.indexOf(id)).value);
const two = (f: (i: number) => Proc): Proc[] => [f(0), f(1)];

function safety(id: string, bad: (v: WorldView<Vals>) => string | null): Invariant<Vals> {
  return { id, description: id, kind: 'safety', check: bad };
}

function quiescent(id: string, bad: (v: WorldView<Vals>) => string | null): Invariant<Vals> {
  return { id, description: id, kind: 'quiescent', check: bad };
}

const counterWorker =
  (locked: boolean) =>
  (i: number): Proc => ({
    id: `W${i}`,
    init: locked ? 'idle' : 'ready',
    locals: { seen: 0 },
    pcs: {
      idle: { cmds: [{ to: 'ready', when: (g) => g.locked === 0, set: () => ({ locked: 1 }) }] },
      ready: { cmds: [{ to: 'read', let: (g) => ({ seen: g.counter }) }] },
      read: { cmds: [{ to: locked ? 'release' : 'done', set: (_g, l) => ({ counter: l.seen + 1 }) }] },
      release: { cmds: [{ to: 'done', set: () => ({ locked: 0 }) }] },
      done: {},
    },
  });

const counterProps = `
#ifdef PROPS
active proctype mon() { end_mon: (W[0]@end_done && W[1]@end_done); assert(counter == 2) }
#endif`;

const lostUpdate: Classic = {
  name: 'lost update (racy counter)',
  procs: two(counterWorker(false)),
  globals: { counter: 0, locked: 0 },
  invariants: [quiescent('no-lost-update', (v) => (v.global.counter === 2 ? null : `counter = ${v.global.counter}`))],
  violated: true,
  promela: `
byte counter; bit locked;
active [2] proctype W() {
  byte seen;
  seen = counter;
  counter = seen + 1;
end_done: false
}${counterProps}`,
};

const lockedCounter: Classic = {
  name: 'counter with an atomic lock',
  procs: two(counterWorker(true)),
  globals: { counter: 0, locked: 0 },
  invariants: lostUpdate.invariants,
  violated: false,
  promela: `
byte counter; bit locked;
active [2] proctype W() {
  byte seen;
  d_step { locked == 0 -> locked = 1 };
  seen = counter;
  counter = seen + 1;
  locked = 0;
end_done: false
}${counterProps}`,
};

const testThenSet: Classic = {
  name: 'test-then-set lock',
  procs: two((i) => ({
    id: `P${i}`,
    init: 'test',
    pcs: {
      test: { cmds: [{ to: 'set', when: (g) => g.flag === 0 }] },
      set: { cmds: [{ to: 'crit', set: () => ({ flag: 1 }) }] },
      crit: { cmds: [{ to: 'leave' }] },
      leave: { cmds: [{ to: 'done', set: () => ({ flag: 0 }) }] },
      done: {},
    },
  })),
  globals: { flag: 0 },
  invariants: [safety('mutual-exclusion', (v) => (pc(v, 'P0') === 'crit' && pc(v, 'P1') === 'crit' ? 'both in the critical section' : null))],
  violated: true,
  promela: `
bit flag;
active [2] proctype P() {
  (flag == 0);
  flag = 1;
crit: skip;
  flag = 0;
end_done: false
}
#ifdef PROPS
active proctype mon() { end_mon: (P[0]@crit && P[1]@crit); assert(false) }
#endif`,
};

const peterson: Classic = {
  name: "Peterson's mutual exclusion",
  procs: two((i) => ({
    id: `P${i}`,
    init: 'want',
    pcs: {
      want: { cmds: [{ to: 'yield', set: () => ({ [`flag${i}`]: 1 }) }] },
      yield: { cmds: [{ to: 'wait', set: () => ({ turn: 1 - i }) }] },
      wait: { cmds: [{ to: 'crit', when: (g) => g[`flag${1 - i}`] === 0 || g.turn === i }] },
      crit: { cmds: [{ to: 'leave' }] },
      leave: { cmds: [{ to: 'done', set: () => ({ [`flag${i}`]: 0 }) }] },
      done: {},
    },
  })),
  globals: { flag0: 0, flag1: 0, turn: 0 },
  invariants: testThenSet.invariants,
  violated: false,
  promela: `
bit flag[2]; bit turn;
active [2] proctype P() {
  flag[_pid] = 1;
  turn = 1 - _pid;
  (flag[1 - _pid] == 0 || turn == _pid);
crit: skip;
  flag[_pid] = 0;
end_done: false
}
#ifdef PROPS
active proctype mon() { end_mon: (P[0]@crit && P[1]@crit); assert(false) }
#endif`,
};

const philosophers: Classic = {
  name: 'dining philosophers (3, left fork first, eat once)',
  procs: [0, 1, 2].map((i) => {
    const l = `fork${i}`;
    const r = `fork${(i + 1) % 3}`;
    return {
      id: `P${i}`,
      init: 'left',
      pcs: {
        left: { cmds: [{ to: 'right', when: (g) => g[l] === 0, set: () => ({ [l]: 1 }) }] },
        right: { cmds: [{ to: 'eat', when: (g) => g[r] === 0, set: () => ({ [r]: 1 }) }] },
        eat: { cmds: [{ to: 'put', set: () => ({}) }] },
        put: { cmds: [{ to: 'done', set: () => ({ [l]: 0, [r]: 0 }) }] },
        done: {},
      },
    };
  }),
  globals: { fork0: 0, fork1: 0, fork2: 0 },
  invariants: [quiescent('everyone-eats', (v) => (['P0', 'P1', 'P2'].every((p) => pc(v, p) === 'done') ? null : 'deadlock: someone never eats'))],
  violated: true,
  promela: `
bit fork[3];
active [3] proctype P() {
  d_step { fork[_pid] == 0 -> fork[_pid] = 1 };
  d_step { fork[(_pid + 1) % 3] == 0 -> fork[(_pid + 1) % 3] = 1 };
  skip;
  d_step { fork[_pid] = 0; fork[(_pid + 1) % 3] = 0 };
end_done: false
}`,
};

const readersWriters: Classic = {
  name: 'readers/writers (2 readers, 1 writer)',
  procs: [
    ...two((i) => ({
      id: `R${i}`,
      init: 'enter',
      pcs: {
        enter: { cmds: [{ to: 'reading', when: (g) => g.writing === 0, set: (g) => ({ readers: g.readers + 1 }) }] },
        reading: { cmds: [{ to: 'done', set: (g) => ({ readers: g.readers - 1 }) }] },
        done: {},
      },
    })),
    {
      id: 'Wr',
      init: 'enter',
      pcs: {
        enter: { cmds: [{ to: 'writing', when: (g) => g.writing === 0 && g.readers === 0, set: () => ({ writing: 1 }) }] },
        writing: { cmds: [{ to: 'done', set: () => ({ writing: 0 }) }] },
        done: {},
      },
    },
  ],
  globals: { readers: 0, writing: 0 },
  invariants: [safety('no-read-while-writing', (v) => (pc(v, 'Wr') === 'writing' && v.global.readers > 0 ? 'a reader reads while the writer writes' : null))],
  violated: false,
  promela: `
byte readers; bit writing;
active [2] proctype R() {
  d_step { writing == 0 -> readers++ };
reading: readers--;
end_done: false
}
active proctype Wr() {
  d_step { writing == 0 && readers == 0 -> writing = 1 };
wr: writing = 0;
end_done: false
}
#ifdef PROPS
active proctype mon() { end_mon: (Wr[2]@wr && readers > 0); assert(false) }
#endif`,
};

const ordering: Classic = {
  name: 'message ordering between three actors',
  procs: [
    {
      id: 'A',
      init: 'a0',
      pcs: { a0: { cmds: [{ to: 'a1', send: { to: 'C', msg: 'M1' } }] }, a1: { cmds: [{ to: 'done', send: { to: 'B', msg: 'M2' } }] }, done: {} },
    },
    { id: 'B', init: 'wait', pcs: { wait: { recv: [{ msg: 'M2', to: 'done', send: { to: 'C', msg: 'M3' } }] }, done: {} } },
    {
      id: 'C',
      init: 'loop',
      locals: { got1: 0, bad: 0 },
      pcs: {
        loop: {
          recv: [
            { msg: 'M1', to: 'loop', let: () => ({ got1: 1 }) },
            { msg: 'M3', to: 'loop', let: (l) => ({ bad: 1 - l.got1 }) },
          ],
        },
      },
    },
  ],
  globals: {},
  invariants: [
    {
      id: 'causal-order',
      description: 'C gets M1 before M3 (M3 is caused by M2, sent after M1)',
      kind: 'safety',
      checkActor: (_a, s) => (s.context.bad === 1 ? 'C got M3 before M1' : null),
    },
  ],
  violated: true,
  promela: `
chan AC = [2] of { byte }; chan AB = [2] of { byte }; chan BC = [2] of { byte };
active proctype A() { AC!1; AB!2; end_done: false }
active proctype B() { d_step { AB?2; BC!3 }; end_done: false }
active proctype C() {
  bit got1; bit bad;
end_loop:
  do
  :: d_step { AC?1; got1 = 1 }
  :: d_step { BC?3; bad = 1 - got1 }
  od
}
#ifdef PROPS
active proctype mon() { end_mon: (C[2]:bad == 1); assert(false) }
#endif`,
};

export const classics: readonly Classic[] = [lostUpdate, lockedCounter, testThenSet, peterson, philosophers, readersWriters, ordering];
