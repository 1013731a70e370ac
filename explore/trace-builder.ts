/**
 * Turn a path of canonical keys into a concrete trace from the real initial state: at each step, the
 * enabled step whose successor has the next key. Symmetry may have renamed actors along the path; this
 * finds the step in the concrete numbering, so the trace replays as it is.
 */
import type { Delivery, World } from './checkable';
import type { TraceEntry } from '../bus/trace';
import { InternalError } from '../util/errors';
import type { Checkable } from './checkable';

export function deliveriesToEntries(sys: Checkable, steps: readonly Delivery[][]): TraceEntry[] {
  const out: TraceEntry[] = [];
  steps.forEach((ds, i) => {
    for (const d of ds) {
      const { type, ...payload } = d.event;
      out.push({ step: i + 1, from: sys.actorId(d.from), to: sys.actorId(d.to), event: type, payload });
    }
  });
  return out;
}

export function traceFromKeys(sys: Checkable, keys: readonly string[]): { entries: TraceEntry[]; final: World } {
  let world = sys.initial();
  const steps: Delivery[][] = [];
  for (let i = 1; i < keys.length; i++) {
    let found = false;
    for (const st of sys.enabled(world)) {
      const rec: Delivery[] = [];
      const next = sys.apply(world, st, rec);
      if (sys.key(next) === keys[i]) {
        steps.push(rec);
        world = next;
        found = true;
        break;
      }
    }
    if (!found) throw new InternalError(`counterexample step ${i} cannot be rebuilt`);
  }
  return { entries: deliveriesToEntries(sys, steps), final: world };
}
