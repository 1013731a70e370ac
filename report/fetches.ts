/**
 * What each address translation of a trace really did, found by re-executing the trace: a TLB hit (and
 * whether the entry was stale, i.e. the page tables now say otherwise), a walk, or a speculative walk.
 * The trace's payload records only what the page tables gave (`walk`), never whether the CPU used it,
 * so exports must not label from the payload alone.
 */
import type { Delivery } from '../bus/engine';
import type { TraceEntry } from '../bus/trace';
import type { Checkable } from '../explore/checkable';
import { findStep, primaryEntries } from '../explore/match';
import type { CpuContext } from '../machines/cpu-context';
import type { Pa, Va, Walk } from '../mmu/pgd';
import { lookup } from '../mmu/tlb';
import type { System } from '../api/system';
import { TraceError } from '../util/errors';

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
  let world = engine.initial();
  let at = 0;
  for (const entry of primaryEntries(trace)) {
    const st = findStep(engine, engine.enabled(world), entry);
    if (!st) throw new TraceError(`trace step ${entry.step} (${entry.to} ${entry.event}) is not enabled here`);
    const before = world;
    const rec: Delivery[] = [];
    world = engine.apply(world, st, rec);
    for (const d of rec) {
      const e = trace[at];
      if (!e || e.step !== entry.step || e.to !== engine.actorId(d.to) || e.event !== d.event.type)
        throw new TraceError(`trace step ${entry.step}: the recorded deliveries differ from the re-executed ones`);
      const ev = d.event as { type: string; va?: Va; walk?: Walk };
      if (sys.spec.actors[d.to]?.role === 'cpu' && ev.va !== undefined && ev.walk) {
        const tlb = (engine.snapshot(before, d.to).context as CpuContext).tlb;
        const cached = lookup(tlb, ev.va);
        if (ev.type === 'SPECULATE') out[at] = { va: ev.va, via: 'speculative', walk: ev.walk };
        else if (cached !== undefined) {
          const stale = ev.walk.kind !== 'mapped' || ev.walk.pa !== cached;
          out[at] = { va: ev.va, via: 'tlb', pa: cached, stale, walk: ev.walk };
        }
        else out[at] = { va: ev.va, via: 'walk', walk: ev.walk };
      }
      at++;
    }
  }
  if (at !== trace.length) throw new TraceError(`the trace has ${trace.length} deliveries but re-executes to ${at}`);
  return out;
}
