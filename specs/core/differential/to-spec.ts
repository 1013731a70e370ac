/** A Model (model.ts) as hypsim user machines on the bus: one XState machine per program, offers, writes, invariants. */
import { createMachine, emit, enqueueActions, type AnyStateMachine } from 'xstate';
import type { BusEvent, BusSpec, Invariant } from '../../../index';
import { inClass, targets, type Inv, type Model, type Program, type Trans } from './model';

const id = (a: number) => `a${a}`;

function actions(t: Trans) {
  const out = [];
  if (t.write) out.push(emit({ type: 'set', v: t.write.v, c: t.write.c }));
  // The targets come with the offered event (`to`), so a machine shared by a symmetry class never names itself.
  if (t.send) {
    const msg = t.send.msg;
    out.push(
      enqueueActions(({ event, enqueue }: { event: BusEvent; enqueue: { emit(e: BusEvent): void } }) => {
        for (const to of event.to as string[]) enqueue.emit({ type: 'bus.send', to, event: { type: `M${msg}` } });
      }),
    );
  }
  return out;
}

function machine(p: Program, k: number, fixedTargets: (t: Trans) => string[]): AnyStateMachine {
  const states: Record<string, object> = {};
  for (let s = 0; s < p.states; s++) {
    const on: Record<string, object> = {};
    p.own[s].forEach((t, j) => {
      on[`T${j}`] = { target: `s${t.to}`, actions: actions(t) };
    });
    p.onMsg[s].forEach((t, x) => {
      if (!t) return;
      const to = fixedTargets(t);
      on[`M${x}`] = {
        target: `s${t.to}`,
        actions: [
          ...(t.write ? [emit({ type: 'set', v: t.write.v, c: t.write.c })] : []),
          ...to.map((b) => emit({ type: 'bus.send', to: b, event: { type: `M${t.send!.msg}` } })),
        ],
      };
    });
    states[`s${s}`] = { on };
  }
  return createMachine({ id: `p${k}`, initial: 's0', states });
}

function invariant(m: Model, inv: Inv, i: number): Invariant<number[]> {
  const state = (s: { value: unknown }) => Number(String(s.value).slice(1));
  if (inv.form === 'actorIn')
    return {
      id: `i${i}`,
      description: 'actor state',
      kind: 'safety',
      checkActor: (a, snap) => (m.programOf[a] === inv.program && state(snap) === inv.state ? `a${a} in s${inv.state}` : null),
    };
  const reads = (r: Invariant<number[]>['reads']) => (m.declareReads ? { reads: r } : {});
  if (inv.form === 'var')
    return {
      id: `i${i}`,
      description: 'var',
      kind: inv.kind,
      ...reads({ memory: true }),
      check: (v) => (v.global[inv.v] === inv.c ? `v${inv.v} = ${inv.c}` : null),
    };
  return {
    id: `i${i}`,
    description: 'count',
    kind: inv.kind,
    ...reads({ actors: m.programOf.map((_, a) => id(a)) }),
    check: (v) => (m.programOf.filter((_, a) => state(v.snapshot(a)) === inv.state).length >= inv.k ? `${inv.k} in s${inv.state}` : null),
  };
}

/** Actors whose steps touch nothing another actor touches: a relation that is true, as the docs ask. */
function independence(m: Model): boolean[] {
  const n = m.programOf.length;
  const all = (a: number) => m.programs[m.programOf[a]].own.flat().concat(m.programs[m.programOf[a]].onMsg.flat().filter((t): t is Trans => t !== null));
  const reads = (a: number) => new Set(all(a).flatMap((t) => (t.guard ? [t.guard.v] : [])));
  const writes = (a: number) => new Set(all(a).flatMap((t) => (t.write ? [t.write.v] : [])));
  const sendsTo = (a: number) => new Set(all(a).flatMap((t) => (t.send ? targets(m, a, t.send.target) : [])));
  return m.programOf.map((_, a) => {
    if (sendsTo(a).size) return false;
    for (let b = 0; b < n; b++) {
      if (b === a) continue;
      if (sendsTo(b).has(a)) return false;
      for (const v of reads(a)) if (writes(b).has(v)) return false;
      for (const v of writes(a)) if (writes(b).has(v) || reads(b).has(v)) return false;
    }
    return true;
  });
}

/** `acyclic`: the model's graph has no cycle (known from the enumeration); declared only if the model says so. */
export function toSpec(m: Model, acyclic: boolean, withInvariants = true): BusSpec<unknown> {
  const machines = m.programs.map((p, k) => machine(p, k, (t) => (t.send ? targets(m, -1, t.send.target).map(id) : [])));
  const indep = independence(m);
  const spec: BusSpec<number[]> = {
    name: 'differential',
    actors: m.programOf.map((p, a) => ({ id: id(a), machine: machines[p], ...(inClass(m, a) ? { symmetry: 'peer' } : {}) })),
    initialGlobal: Array(m.vars).fill(0),
    globalKey: (g) => g.join(','),
    offers(view, a) {
      const p = m.programs[m.programOf[a]];
      const s = Number(String(view.snapshot(a).value).slice(1));
      return p.own[s].flatMap((t, j) => {
        if (t.guard && view.global[t.guard.v] !== t.guard.c) return [];
        if (!t.send) return [{ type: `T${j}` }];
        const to = targets(m, a, t.send.target).map(id);
        return t.send.target === -2 ? to.map((b) => ({ type: `T${j}`, to: [b] })) : [{ type: `T${j}`, to }];
      });
    },
    write: (g, e) => {
      const next = g.slice();
      next[e.v as number] = e.c as number;
      return next;
    },
    invariants: withInvariants ? m.invariants.map((inv, i) => invariant(m, inv, i)) : [],
    independent: (_view, a) => indep[a],
    ...(m.declareAcyclic && acyclic ? { acyclic: true } : {}),
  };
  return spec as BusSpec<unknown>;
}
