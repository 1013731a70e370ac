/**
 * The actors involved in a violation: the actor whose step broke the invariant, and every actor that sent
 * it a message or received one from it in the trace (for the HYP model: the CPU and the kernel that
 * drove it, not the other CPUs). Reports show these actors' steps by default.
 */
import type { TraceEntry } from '../bus/trace';

export function involvedActors(trace: readonly TraceEntry[]): string[] {
  if (!trace.length) return [];
  const culprit = trace[trace.length - 1].to;
  const out = new Set([culprit]);
  for (const e of trace) {
    if (e.to === culprit && e.from !== culprit) out.add(e.from);
    if (e.from === culprit && e.to !== culprit) out.add(e.to);
  }
  return [...out];
}
