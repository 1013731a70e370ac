/**
 * Which VAs a TLB entry can go stale for. A VA mapped in one pgd only, to one PA, never unmapped and in a
 * table never freed has one translation for the whole run: a cached entry for it answers exactly what a
 * walk would, so the model need not store it (nor offer speculative fills of it). The same holds for a VA
 * mapped to one PA in several pgds, never unmapped, one of which is freed (pKVM's host pgd): a cached
 * entry differs from a walk only where the walk reads the freed table, and an evicted entry (always
 * allowed) makes that walk happen, so untracked runs still reach that use-after-free. Every other VA is
 * "volatile" and tracked entry by entry, and so are the VAs the init code runs at (idmap, trampoline),
 * which it fetches through more than one pgd. With scope 'all' every VA is tracked (slower, same verdicts).
 */
import type { MemWrite } from './memory';
import type { Va } from './pgd';

export function volatileVas(writes: readonly MemWrite[], initCodeVas: readonly Va[], scope: 'volatile' | 'all' = 'volatile'): Set<Va> {
  const facts = new Map<Va, { pgds: Set<string>; pas: Set<number>; unmapped: boolean }>();
  const freed = new Set<string>();
  for (const w of writes) {
    if (w.type === 'mem.free') freed.add(w.pgd);
    if (w.type !== 'mem.map' && w.type !== 'mem.unmap') continue;
    const f = facts.get(w.va) ?? { pgds: new Set(), pas: new Set(), unmapped: false };
    f.pgds.add(w.pgd);
    if (w.type === 'mem.map') f.pas.add(w.pa);
    else f.unmapped = true;
    facts.set(w.va, f);
  }
  // The init code is fetched through both pgds (the trampoline across the switch): always tracked.
  const out = new Set<Va>(initCodeVas);
  for (const [va, f] of facts) {
    const oneTable = f.pgds.size === 1 && ![...f.pgds].some((p) => freed.has(p));
    const samePaEverywhere = f.pgds.size > 1 && [...f.pgds].some((p) => freed.has(p));
    const stable = f.pas.size === 1 && !f.unmapped && (oneTable || samePaEverywhere);
    if (scope === 'all' || !stable) out.add(va);
  }
  return out;
}
