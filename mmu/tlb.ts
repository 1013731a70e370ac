/**
 * One CPU's HYP TLB as a value: VA page → PA page, one entry per VA. HYP has no ASIDs, so entries
 * survive a change of HTTBR until this CPU, in HYP, runs TLBIALLH (arm64: tlbi alle2).
 */
import type { Pa, Va } from './pgd';

export type Tlb = readonly (readonly [Va, Pa])[];

export const emptyTlb: Tlb = Object.freeze([]) as Tlb;

export function lookup(tlb: Tlb, va: Va): Pa | undefined {
  for (const [v, p] of tlb) if (v === va) return p;
  return undefined;
}

/** Cache a walk result; an existing entry for the VA is replaced (one entry per VA). */
export function fill(tlb: Tlb, va: Va, pa: Pa): Tlb {
  const out = tlb.filter(([v]) => v !== va);
  out.push([va, pa]);
  out.sort((a, b) => a[0] - b[0]);
  return out;
}

/** TLBIALLH / tlbi alle2: only this CPU's entries, only from HYP. */
export function invalidateAll(_tlb: Tlb): Tlb {
  return emptyTlb;
}
