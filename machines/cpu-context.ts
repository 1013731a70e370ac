/** A CPU's HYP-visible registers and TLB: plain data, the statechart's context. */
import type { PgdName } from '../mmu/memory';
import type { Tlb } from '../mmu/tlb';

/** Which invariant a CPU's fault breaks (ids from MODEL.md). */
export type FaultKind = 'translation-fault' | 'wrong-translation' | 'use-after-free';

export interface Fault {
  readonly invariant: FaultKind;
  /** The step (event) whose access failed. */
  readonly step: string;
  readonly va: number;
  /** The page table walked or that should have been walked. */
  readonly pgd: PgdName | null;
  /** The page the step expected. */
  readonly expected: { readonly name: string; readonly pa: number };
  /** The PA the access got (wrong-translation), and whether it came from a TLB hit. */
  readonly got?: number;
  readonly fromTlb?: boolean;
}

export interface CpuContext {
  /** In cpu_online_mask. */
  readonly online: boolean;
  /** The pgd HTTBR points at: boot_hyp_pgd, hyp_pgd, pkvm_pgtable, or none since power-on. */
  readonly httbr: PgdName | null;
  /** HSCTLR.M: stays on after eret back to the kernel. */
  readonly mmu: boolean;
  /** VA (PA with the MMU off) being executed in HYP; null while in the kernel. */
  readonly pc: number | null;
  /** HVBAR: the stub's vectors, the init vector, or the runtime vectors (__kvm_hyp_vector). */
  readonly hvbar: 'stub' | 'init' | 'runtime';
  /** HYP SP: unset, or this CPU's own stack page (kvm_arm_hyp_stack_page is per-CPU). */
  readonly hsp: 'none' | 'stack';
  readonly tlb: Tlb;
  /** Who started this CPU's init: the kernel's IPI (reply when done), the cpu notifier (go online when done), CPU PM exit. */
  readonly via: 'ipi' | 'notifier' | 'pm' | null;
  /** Where a HYP teardown in progress ends: powered off (CPU down), in deep idle (CPU PM enter), or on the stub (hardware disable). */
  readonly after: 'off' | 'idle' | 'stub' | null;
  readonly fault: Fault | null;
}

export function resetContext(online: boolean): CpuContext {
  return { online, httbr: null, mmu: false, pc: null, hvbar: 'stub', hsp: 'none', tlb: [], via: null, after: null, fault: null };
}
