/**
 * An access in HYP with the MMU on: a TLB hit wins even if the page table changed since (stale);
 * a miss walks the table in HTTBR and fills the TLB. Pure: the caller supplies the walk result.
 */
import type { Pa, Va, Walk } from './pgd';
import { fill, lookup, type Tlb } from './tlb';

export type Translation =
  | { readonly kind: 'hit'; readonly pa: Pa; readonly tlb: Tlb }
  | { readonly kind: 'walked'; readonly pa: Pa; readonly tlb: Tlb }
  | { readonly kind: 'translation-fault' }
  | { readonly kind: 'use-after-free' };

/**
 * @param tracked whether this VA's entry is kept in the TLB value (see mmu/volatile.ts: an entry for a
 *   VA whose translation never changes is indistinguishable from a walk, so it need not be stored).
 */
export function translate(tlb: Tlb, va: Va, walked: Walk, tracked = true): Translation {
  const cached = lookup(tlb, va);
  if (cached !== undefined) return { kind: 'hit', pa: cached, tlb };
  if (walked.kind === 'freed') return { kind: 'use-after-free' };
  if (walked.kind === 'unmapped') return { kind: 'translation-fault' };
  return { kind: 'walked', pa: walked.pa, tlb: tracked ? fill(tlb, va, walked.pa) : tlb };
}
