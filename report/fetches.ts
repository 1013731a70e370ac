/**
 * What each address translation of a trace really did, found by re-executing the trace: a TLB hit (and
 * whether the entry was stale, i.e. the page tables now say otherwise), a walk, or a speculative walk.
 * The trace's payload records only what the page tables gave (`walk`), never whether the CPU used it,
 * so exports must not label from the payload alone. The system's model view says what a delivery did.
 */
import type { Fetch } from '../actors/model-view';
import type { System } from '../api/system';
import type { TraceEntry } from '../bus/trace';
import type { Checkable } from '../explore/checkable';
import { reexecute } from '../explore/reexecute';

export type { Fetch } from '../actors/model-view';

/** Per trace entry (same index), the translation it made, or null (no VA, or a system without a model view). */
export function fetchesOf(sys: System, trace: readonly TraceEntry[]): (Fetch | null)[] {
  const out: (Fetch | null)[] = trace.map(() => null);
  const view = sys.view;
  if (!view) return out;
  const engine: Checkable = sys.engine({ symmetry: false });
  let at = 0;
  // The one re-executor, strict: it checks that the recorded deliveries are the re-executed ones.
  for (const { before, deliveries } of reexecute(engine, trace, 'strict')) {
    for (const d of deliveries) {
      out[at] = view.fetch(d.to, d.event, engine.snapshot(before, d.to).context);
      at++;
    }
  }
  return out;
}
