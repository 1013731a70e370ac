/**
 * Shrink a counterexample found by a random or PCT run: drop chunks of steps (halving the chunk size,
 * as in delta debugging) while a lenient replay still breaks the same invariant. The run's budget bounds
 * it too: out of time (or interrupted), the shortest counterexample so far is returned.
 */
import type { TraceEntry } from '../bus/trace';
import type { Budget, StopReason } from './budget';
import type { Checkable } from './checkable';
import { primaryEntries } from './match';
import { InternalError } from '../util/errors';
import { replay, type ReplayOutcome } from './replay';

/** The violation's message: a trace being shrunk always ends in one (the caller found it there). */
function messageOf(r: ReplayOutcome): string {
  if (!r.violation) throw new InternalError('shrink: the trace to shrink does not break its invariant');
  return r.violation.message;
}

/** What shrinking gave: `steps` shorter traces accepted on the way (fast-check's "shrunk N times"); `stoppedBy` if the budget cut it short. */
export interface Shrunk {
  trace: TraceEntry[];
  message: string;
  steps: number;
  stoppedBy?: StopReason;
}

export function shrink(sys: Checkable, trace: readonly TraceEntry[], invariant: string, budget?: Budget): Shrunk {
  let best = replay(sys, trace, 'lenient');
  let cur = primaryEntries(best.trace);
  let steps = 0;
  for (let chunk = Math.max(1, cur.length >> 1); chunk >= 1; chunk >>= 1) {
    for (let i = 0; i < cur.length; ) {
      const why = budget?.check();
      // Cut short: the trace so far is valid, but a shorter one may exist; the report says so.
      if (why) return { trace: best.trace, message: messageOf(best), steps, stoppedBy: why };
      const cand = [...cur.slice(0, i), ...cur.slice(i + chunk)];
      const r = replay(sys, cand, 'lenient');
      if (r.violation?.invariant === invariant && primaryEntries(r.trace).length < cur.length) {
        best = r;
        cur = primaryEntries(r.trace);
        steps++;
      } else i += chunk;
    }
  }
  return { trace: best.trace, message: messageOf(best), steps };
}
