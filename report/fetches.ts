/**
 * What each address translation of a trace really did, found by re-executing the trace: a TLB hit (and
 * whether the entry was stale, i.e. the page tables now say otherwise), a walk, or a speculative walk.
 * The trace's payload records only what the page tables gave (`walk`), never whether the CPU used it,
 * so exports must not label from the payload alone.
 */
import type { TraceEntry } from '../bus/trace';
import type { Checkable, World } from '../explore/checkable';
import { reexecute } from '../explore/reexecute';
import type { CpuContext } from '../machines/cpu-context';
import type { Pa, Va, Walk } from '../mmu/pgd';
import { lookup } from '../mmu/tlb';
import type { System } from '../api/system';

/** One translation: `pa` is the address the CPU got; `walk` what the page tables gave at that moment. */
export type Fetch =
  | { readonly va: Va; readonly via: 'tlb'; readonly pa: Pa; readonly stale: boolean; readonly walk: Walk }
  | { readonly va: Va; readonly via: 'walk'; readonly walk: Walk }
  | { readonly va: Va; readonly via: 'speculative'; readonly walk: Walk };

/** Per trace entry (same index), the translation it made, or null (no VA, or not a HYP CPU). */
export function fetchesOf(sys: System, trace: readonly TraceEntry[]): (Fetch | null)[] {
  const out: (Fetch | null)[] = trace.map(() => null);
  if (!sys.hyp) return out;
  const engine: Checkable = sys.engine({ symmetry: false });
  let at = 0;
  // The one re-executor, strict: it checks that the recorded deliveries are the re-executed ones.
  for (const { before, deliveries } of reexecute(engine, trace, 'strict')) {
    for (const d of deliveries) {
      const ev = d.event as { type: string; va?: Va; walk?: Walk };
      if (sys.spec.actors[d.to]?.role === 'cpu' && ev.va !== undefined && ev.walk) out[at] = fetchOf(engine, before, d.to, ev.type, ev.va, ev.walk);
      at++;
    }
  }
  return out;
}

/** The translation one delivery to a CPU made: speculative, a TLB hit (stale or not), or a walk. */
function fetchOf(engine: Checkable, before: World, cpu: number, type: string, va: Va, walk: Walk): Fetch {
  if (type === 'SPECULATE') return { va, via: 'speculative', walk };
  const cached = lookup((engine.snapshot(before, cpu).context as CpuContext).tlb, va);
  if (cached === undefined) return { va, via: 'walk', walk };
  return { va, via: 'tlb', pa: cached, stale: walk.kind !== 'mapped' || walk.pa !== cached, walk };
}
