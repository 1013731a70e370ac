/**
 * Guarded commands as hypsim user machines: each process is an XState machine whose states are its program
 * counters; a command is a step the process offers when its guard holds, with the shared writes and local
 * assignments it makes (computed from what it read, as one atomic step, like a Promela d_step); a handler
 * is what receiving a message does. The classic systems (systems.ts) are written with it, so that their
 * step granularity is the Promela models'.
 */
import { assign, createMachine, emit, type AnyStateMachine } from 'xstate';
import type { BusEvent, BusSpec, Invariant } from '../../../index';

type Vals = Record<string, number>;

export interface Cmd {
  readonly to: string;
  readonly when?: (g: Vals, l: Vals) => boolean;
  /** Shared variables written. */
  readonly set?: (g: Vals, l: Vals) => Vals;
  /** Local variables assigned. */
  readonly let?: (g: Vals, l: Vals) => Vals;
  readonly send?: { readonly to: string; readonly msg: string };
}

export interface Handler {
  readonly msg: string;
  readonly to: string;
  readonly let?: (l: Vals) => Vals;
  readonly send?: { readonly to: string; readonly msg: string };
}

export interface Proc {
  readonly id: string;
  readonly init: string;
  readonly locals?: Vals;
  readonly pcs: Readonly<Record<string, { readonly cmds?: readonly Cmd[]; readonly recv?: readonly Handler[] }>>;
}

const sendTo = (s: { to: string; msg: string }) => emit({ type: 'bus.send', to: s.to, event: { type: s.msg } });

function machine(p: Proc): AnyStateMachine {
  const states: Record<string, object> = {};
  for (const [pc, { cmds = [], recv = [] }] of Object.entries(p.pcs)) {
    const on: Record<string, object> = {};
    cmds.forEach((c, i) => {
      on[`C${i}`] = {
        target: c.to,
        actions: [
          assign(({ context, event }: { context: Vals; event: BusEvent }) => ({ ...context, ...(event.l as Vals) })),
          ...(c.set ? [emit(({ event }: { event: BusEvent }) => ({ type: 'set', g: event.g as Vals }))] : []),
          ...(c.send ? [sendTo(c.send)] : []),
        ],
      };
    });
    for (const h of recv)
      on[h.msg] = {
        target: h.to,
        actions: [assign(({ context }: { context: Vals }) => ({ ...context, ...(h.let ? h.let(context) : {}) })), ...(h.send ? [sendTo(h.send)] : [])],
      };
    states[pc] = { on };
  }
  return createMachine({ id: p.id, context: { ...(p.locals ?? {}) }, initial: p.init, states });
}

export interface Classic {
  readonly name: string;
  readonly procs: readonly Proc[];
  readonly globals: Vals;
  /** Invariants over processes' program counters (`pc(view, id)`), locals and shared variables. */
  readonly invariants: readonly Invariant<Vals>[];
  /** The Promela model; its `#ifdef PROPS` part holds the monitors that check the same properties. */
  readonly promela: string;
  /** A violation is expected of both tools (documentation only: the test compares the two tools). */
  readonly violated: boolean;
}

export function toSpec(c: Classic, withInvariants = true): BusSpec<unknown> {
  const machines = new Map(c.procs.map((p) => [p.id, machine(p)]));
  const spec: BusSpec<Vals> = {
    name: c.name,
    actors: c.procs.map((p) => ({ id: p.id, machine: machines.get(p.id)! })),
    initialGlobal: c.globals,
    globalKey: (g) => JSON.stringify(g),
    offers(view, a) {
      const p = c.procs[a];
      const snap = view.snapshot(a);
      const l = snap.context as Vals;
      const cmds = p.pcs[String(snap.value)].cmds ?? [];
      return cmds.flatMap((cmd, i) =>
        cmd.when && !cmd.when(view.global, l) ? [] : [{ type: `C${i}`, g: cmd.set?.(view.global, l) ?? {}, l: cmd.let?.(view.global, l) ?? {} }],
      );
    },
    write: (g, e) => ({ ...g, ...(e.g as Vals) }),
    invariants: withInvariants ? c.invariants : [],
    readFields: ['g', 'l'],
  };
  return spec as BusSpec<unknown>;
}
