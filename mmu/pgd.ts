/**
 * A HYP page table as a plain immutable value: the VA page → PA page map the HYP MMU walks
 * (arch/arm/kvm/mmu.c builds them with __create_hyp_mappings / unmap_range / kfree).
 * Shared by every CPU; the kernel changes it while CPUs walk it, so it is a value we can hash and compare.
 */
export type Va = number;
export type Pa = number;

export interface Pgd {
  /** Mapped pages, sorted by VA: one PA page per VA page. */
  readonly entries: readonly (readonly [Va, Pa])[];
  /** kfree()d: any walk of it is a use-after-free. */
  readonly freed: boolean;
}

/** What a hardware table walk of one VA returns. */
export type Walk = { readonly kind: 'mapped'; readonly pa: Pa } | { readonly kind: 'unmapped' } | { readonly kind: 'freed' };

export const emptyPgd: Pgd = Object.freeze({ entries: Object.freeze([]), freed: false });

export function mapPage(pgd: Pgd, va: Va, pa: Pa): Pgd {
  const entries = pgd.entries.filter(([v]) => v !== va);
  entries.push([va, pa]);
  entries.sort((a, b) => a[0] - b[0]);
  return { entries, freed: pgd.freed };
}

export function unmapPage(pgd: Pgd, va: Va): Pgd {
  if (!pgd.entries.some(([v]) => v === va)) return pgd;
  return { entries: pgd.entries.filter(([v]) => v !== va), freed: pgd.freed };
}

/** kfree(pgd): the memory is gone, but a CPU whose HTTBR still points at it can walk it. */
export function freePgd(pgd: Pgd): Pgd {
  return { entries: pgd.entries, freed: true };
}

export function walk(pgd: Pgd, va: Va): Walk {
  if (pgd.freed) return { kind: 'freed' };
  for (const [v, p] of pgd.entries) if (v === va) return { kind: 'mapped', pa: p };
  return { kind: 'unmapped' };
}

export function pgdKey(pgd: Pgd): string {
  return (pgd.freed ? 'F' : '') + pgd.entries.map(([v, p]) => `${v.toString(16)}>${p.toString(16)}`).join(',');
}

/** Addresses are exact JS numbers (arm64 HYP VAs and PAs stay below 2^48); printed as the kernel prints them. */
export function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
