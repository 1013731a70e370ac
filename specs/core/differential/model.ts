/**
 * Small random systems for the differential test, as plain data: a few actors running small programs
 * (states, own steps with guards on shared variables, writes, sends), messages between actors, symmetry
 * classes, and invariants of both kinds. The same data is turned into hypsim machines (to-spec.ts) and
 * enumerated by a plain search written here (enumerate.ts), so the two share no code.
 */
import fc from 'fast-check';

/** One transition: where it goes, what it needs of shared memory, and what it does. */
export interface Trans {
  readonly to: number;
  /** Enabled only if vars[v] === c (own steps only). */
  readonly guard?: { readonly v: number; readonly c: number };
  readonly write?: { readonly v: number; readonly c: number };
  /**
   * Send message type `msg` to actor `target`; own steps may also send to each other member of the symmetry
   * class in one step (target -1) or to one member of it, chosen by the step (target -2: one step per member).
   */
  readonly send?: { readonly target: number; readonly msg: number };
}

export interface Program {
  readonly states: number;
  /** Per state: the steps the actor may take on its own. */
  readonly own: readonly (readonly Trans[])[];
  /** Per state, per message type: what receiving it does (null: ignored, the state stays). */
  readonly onMsg: readonly (readonly (Trans | null)[])[];
}

export type Inv =
  | { readonly kind: 'safety'; readonly form: 'actorIn'; readonly program: number; readonly state: number }
  | { readonly kind: 'safety' | 'quiescent'; readonly form: 'var'; readonly v: number; readonly c: number }
  /** At least k actors (of any program) in `state`. */
  | { readonly kind: 'safety' | 'quiescent'; readonly form: 'count'; readonly state: number; readonly k: number };

export interface Model {
  readonly programs: readonly Program[];
  /** Program of each actor. */
  readonly programOf: readonly number[];
  /** Symmetry class: actors sharing program 0 when `symmetric` (class 'peer'). */
  readonly symmetric: boolean;
  readonly vars: number;
  readonly msgTypes: number;
  readonly invariants: readonly Inv[];
  /** Declare the system acyclic when it is (the explorer may then skip the cycle proviso). */
  readonly declareAcyclic: boolean;
  /** Whole-state invariants declare what they read (so the reduction may move actors they cannot see). */
  readonly declareReads: boolean;
}

export const VALUES = 3;

export function inClass(m: Model, a: number): boolean {
  return m.symmetric && m.programOf[a] === 0;
}

/** The actors a send of `sender` reaches. */
export function targets(m: Model, sender: number, t: number): number[] {
  if (t >= 0) return [t];
  // -2: the caller picks one of these per step.
  return m.programOf.map((_, b) => b).filter((b) => inClass(m, b) && b !== sender);
}

const trans = (states: number, from: number, forward: boolean, vars: number, msgTypes: number, actors: number, own: boolean): fc.Arbitrary<Trans> =>
  fc.record(
    {
      to: forward ? fc.integer({ min: Math.min(from + 1, states - 1), max: states - 1 }) : fc.integer({ min: 0, max: states - 1 }),
      guard: own
        ? fc.option(fc.record({ v: fc.integer({ min: 0, max: vars - 1 }), c: fc.integer({ min: 0, max: VALUES - 1 }) }), { nil: undefined })
        : fc.constant(undefined),
      write: fc.option(fc.record({ v: fc.integer({ min: 0, max: vars - 1 }), c: fc.integer({ min: 0, max: VALUES - 1 }) }), { nil: undefined }),
      // Only acyclic programs send, so queues stay bounded.
      send: forward
        ? fc.option(fc.record({ target: fc.integer({ min: own ? -2 : -1, max: actors - 1 }), msg: fc.integer({ min: 0, max: msgTypes - 1 }) }), {
            nil: undefined,
          })
        : fc.constant(undefined),
    },
    { requiredKeys: ['to'] },
  );

/** A program that touches nothing shared (no guard, write or send): what the partial-order reduction can move first. */
const local = (p: Program): Program => ({
  states: p.states,
  own: p.own.map((ts) => ts.map((t) => ({ to: t.to }))),
  onMsg: p.onMsg.map((ts) => ts.map((t) => (t ? { to: t.to } : null))),
});

function program(vars: number, msgTypes: number, actors: number): fc.Arbitrary<Program> {
  return fc.tuple(fc.integer({ min: 2, max: 3 }), fc.boolean(), fc.boolean()).chain(([states, forward, isLocal]) =>
    fc
      .record({
        states: fc.constant(states),
        own: fc.tuple(
          ...Array.from({ length: states }, (_, s) =>
            fc.array(trans(states, s, forward, vars, msgTypes, actors, true), { maxLength: forward && s === states - 1 ? 0 : 2 }),
          ),
        ),
        onMsg: fc.tuple(
          ...Array.from({ length: states }, (_, s) =>
            fc
              .tuple(...Array.from({ length: msgTypes }, () => fc.option(trans(states, s, forward, vars, msgTypes, actors, false), { nil: null })))
              .map((ts) => ts.map((t) => (t && forward && t.to <= s ? null : t))),
          ),
        ),
      })
      .map((p) => (isLocal ? local(p) : p)),
  );
}

/** Make sends name only actors symmetry cannot move, and class members only through "each other member". */
function normalise(m: Model): Model {
  const fix = (p: Program, pi: number): Program => {
    const senderInClass = m.symmetric && pi === 0;
    const classSize = m.programOf.filter((q) => q === 0).length;
    const t = (x: Trans | null, own = true): Trans | null => {
      if (!x?.send) return x;
      let target = x.send.target;
      if (target >= 0 && inClass(m, target)) target = -1;
      // Handlers cannot name "the others" (a member's state does not know which it is), nor can a class of one.
      const othersInClass = m.symmetric && (!senderInClass || classSize >= 2);
      if (target < 0 && (!own || !othersInClass)) {
        target = m.programOf.findIndex((_, b) => !inClass(m, b));
        if (target < 0) return { ...x, send: undefined };
      }
      return { ...x, send: { target, msg: x.send.msg } };
    };
    return { states: p.states, own: p.own.map((ts) => ts.map((x) => t(x)!)), onMsg: p.onMsg.map((ts) => ts.map((x) => t(x, false))) };
  };
  return { ...m, programs: m.programs.map(fix) };
}

function invariant(programs: number, vars: number): fc.Arbitrary<Inv> {
  const st = fc.integer({ min: 0, max: 2 });
  return fc.oneof(
    fc.record({ kind: fc.constant('safety' as const), form: fc.constant('actorIn' as const), program: fc.integer({ min: 0, max: programs - 1 }), state: st }),
    fc.record({
      kind: fc.constantFrom('safety' as const, 'quiescent' as const),
      form: fc.constant('var' as const),
      v: fc.integer({ min: 0, max: vars - 1 }),
      c: fc.integer({ min: 0, max: VALUES - 1 }),
    }),
    fc.record({
      kind: fc.constantFrom('safety' as const, 'quiescent' as const),
      form: fc.constant('count' as const),
      state: st,
      k: fc.integer({ min: 2, max: 3 }),
    }),
  );
}

export const models: fc.Arbitrary<Model> = fc
  .record({
    actors: fc.constantFrom(2, 3, 3),
    symmetric: fc.boolean(),
    wholeClass: fc.boolean(),
    vars: fc.integer({ min: 1, max: 2 }),
    msgTypes: fc.integer({ min: 1, max: 2 }),
  })
  .chain(({ actors, symmetric, wholeClass, vars, msgTypes }) => {
    // With symmetry, actors 0..size-1 share program 0; the rest have one program each.
    const size = symmetric ? (wholeClass ? actors : 2) : 1;
    const programOf = Array.from({ length: actors }, (_, a) => (symmetric ? (a < size ? 0 : a - size + 1) : a));
    const programs = Math.max(...programOf) + 1;
    return fc.record({
      programs: fc.tuple(...Array.from({ length: programs }, () => program(vars, msgTypes, actors))),
      programOf: fc.constant(programOf),
      symmetric: fc.constant(symmetric),
      vars: fc.constant(vars),
      msgTypes: fc.constant(msgTypes),
      invariants: fc.array(invariant(programs, vars), { maxLength: 3 }),
      declareAcyclic: fc.boolean(),
      declareReads: fc.boolean(),
    });
  })
  .map(normalise);
