/**
 * The actors involved in a violation: the actors it names (a message such as "… never reached runtime:
 * cpu0") and the actor whose step came last, plus every actor that exchanged a message with one of them in
 * the trace. For the legacy race that is cpu0 and the kernel that drove it, not cpu1. Reports show these
 * actors' steps by default and count the rest.
 */
import type { TraceEntry } from '../bus/trace';

export function involvedActors(trace: readonly TraceEntry[], actorIds: readonly string[], message = ''): string[] {
  const named = actorIds.filter((id) => new RegExp(`(^|[^A-Za-z0-9_-])${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_-])`).test(message));
  const culprits = new Set([...named, ...(trace.length ? [trace[trace.length - 1].to] : [])]);
  const out = new Set(culprits);
  for (const e of trace) {
    if (culprits.has(e.to)) out.add(e.from);
    if (culprits.has(e.from)) out.add(e.to);
  }
  return actorIds.filter((id) => out.has(id));
}
