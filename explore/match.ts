/** Match a recorded delivery against the enabled steps, ignoring what was read of shared memory. */
import { eventKey } from '../bus/event-key';
import type { Step } from './checkable';
import type { BusEvent } from '../bus/spec';
import type { TraceEntry } from '../bus/trace';
import type { Checkable } from './checkable';

function strip(e: BusEvent | TraceEntry['payload'], fields: readonly string[]): Record<string, unknown> {
  const o: Record<string, unknown> = { ...e };
  for (const f of fields) delete o[f];
  return o;
}

export function stepSignature(sys: Pick<Checkable, 'readFields'>, to: string, from: string, type: string, payload: Record<string, unknown>): string {
  return `${to}|${from}|${type}|${eventKey(strip(payload as BusEvent, [...sys.readFields, 'type']) as BusEvent)}`;
}

export function findStep<S extends Step>(sys: Checkable, enabled: readonly S[], entry: TraceEntry): S | undefined {
  const want = stepSignature(sys, entry.to, entry.from, entry.event, entry.payload as Record<string, unknown>);
  return enabled.find((st) => stepSignature(sys, sys.actorId(st.actor), sys.actorId(st.from), st.event.type, st.event as Record<string, unknown>) === want);
}

/** The entries of a trace grouped by step; the first of each group is the delivery the scheduler chose. */
export function primaryEntries(trace: readonly TraceEntry[]): TraceEntry[] {
  const out: TraceEntry[] = [];
  let last = -1;
  for (const e of trace) {
    if (e.step !== last) out.push(e);
    last = e.step;
  }
  return out;
}
