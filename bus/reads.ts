/**
 * What a computation of the engine read of a state besides shared memory: whose local states (transitions,
 * `snapshot`, self-scoped offers) and whose pending messages (`pendingFor`, deliverable steps). The POR
 * commutation memo (bus/commute-memo.ts) keys a verdict on these parts of the state (and shared memory),
 * so it is never reused in a state that differs in something the verdict was computed from.
 */
import type { WorldView } from './spec';

export interface Reads {
  readonly actors: number[];
  readonly pending: number[];
}

export function noReads(...actors: number[]): Reads {
  return { actors: actors.slice(), pending: actors.slice() };
}

export function note(list: number[], actor: number): void {
  if (!list.includes(actor)) list.push(actor);
}

export function addReads(into: Reads, from: Reads): void {
  for (const a of from.actors) note(into.actors, a);
  for (const a of from.pending) note(into.pending, a);
}

/** `view`, noting in `reads` every actor snapshot and pending list it hands out (shared memory is always keyed). */
export function recordingView<G>(view: WorldView<G>, reads: Reads): WorldView<G> {
  return {
    actors: view.actors,
    global: view.global,
    indexOf: view.indexOf,
    snapshot: (a) => {
      note(reads.actors, a);
      return view.snapshot(a);
    },
    pendingFor: (a) => {
      note(reads.pending, a);
      return view.pendingFor(a);
    },
  };
}
