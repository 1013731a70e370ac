/**
 * The HYP init code as step lists, one entry per instruction group that changes what the CPU can see.
 * Each step names the kernel code it stands for. The CPU statechart (machines/cpu.ts) is generated from
 * these lists, so it reads in the kernel's order; a design's knobs choose and order the steps.
 */
import type { Design } from '../design/design';
import { emptyTlb } from '../mmu/tlb';
import type { CpuContext } from './cpu-context';

export interface InitStep {
  /** State name: the step the CPU executes next while in it. */
  readonly state: string;
  /** The event that performs the step. */
  readonly event: string;
  /** Which VA the step's instruction is fetched from (MMU on), or null (MMU off, or in the kernel). */
  readonly fetch: 'idmap' | 'tramp' | null;
  /** Kernel file, function and the instruction(s). */
  readonly cite: string;
  /** What the step does to the CPU's registers once its fetch succeeded. */
  readonly effect: (c: CpuContext, addr: { idmapVa: number; initPa: number; trampolineVa: number }) => Partial<CpuContext>;
}

export interface InitPhase {
  /** Compound state name (the MODEL's off → boot-pgd → trampoline → runtime). */
  readonly name: string;
  readonly steps: readonly InitStep[];
}

/** Linux v3.9, arch/arm/kvm/arm.c cpu_init_hyp_mode and arch/arm/kvm/init.S __do_hyp_init: one pass, one pgd. */
function legacyPhases(): InitPhase[] {
  return [
    {
      name: 'idmap',
      steps: [
        { state: 'set-vectors', event: 'SET_VECTORS', fetch: null, cite: 'v3.9 arch/arm/kvm/arm.c cpu_init_hyp_mode: __hyp_set_vectors(vector) (stub HVC, HVBAR = init code PA)', effect: () => ({ hvbar: 'init' }) },
        { state: 'hvc', event: 'HVC', fetch: null, cite: 'v3.9 arch/arm/kvm/arm.c cpu_init_hyp_mode: kvm_call_hyp(pgd_low, pgd_high, hyp_stack_ptr, vector_ptr) (MMU off: runs at the idmap PA)', effect: (_c, a) => ({ pc: a.initPa }) },
        { state: 'set-httbr', event: 'SET_HTTBR', fetch: null, cite: 'v3.9 arch/arm/kvm/init.S __do_hyp_init: mcrr p15, 4, r0, r1, c2 (HTTBR = hyp_pgd)', effect: () => ({ httbr: 'hyp' }) },
        { state: 'enable-mmu', event: 'ENABLE_MMU', fetch: null, cite: 'v3.9 arch/arm/kvm/init.S __do_hyp_init: isb; mcr p15, 4, r0, c1, c0, 0 @ HSCR (HSCTLR.M = 1, running at the idmap); isb', effect: (_c, a) => ({ mmu: true, pc: a.idmapVa }) },
        { state: 'set-stack', event: 'SET_STACK', fetch: 'idmap', cite: 'v3.9 arch/arm/kvm/init.S __do_hyp_init: mov sp, r2; mcr p15, 4, r3, c12, c0, 0 @ HVBAR', effect: () => ({ hsp: 'stack', hvbar: 'runtime' }) },
        { state: 'eret', event: 'ERET', fetch: 'idmap', cite: 'v3.9 arch/arm/kvm/init.S __do_hyp_init: eret (back to the kernel; HYP MMU stays on)', effect: () => ({ pc: null }) },
      ],
    },
  ];
}

/** Linux v3.10, arch/arm/kvm/init.S __do_hyp_init: two HVCs, the second jumps to the trampoline and switches pgd. */
function trampolinePhases(d: Design): InitPhase[] {
  const bootPgd: InitStep[] = [
    { state: 'set-vectors', event: 'SET_VECTORS', fetch: null, cite: 'v3.10 arch/arm/kvm/arm.c cpu_init_hyp_mode: __hyp_set_vectors(kvm_get_idmap_vector()) (stub HVC)', effect: () => ({ hvbar: 'init' }) },
    { state: 'hvc-phase1', event: 'HVC', fetch: null, cite: 'v3.10 arch/arm/include/asm/kvm_host.h __cpu_init_hyp_mode: kvm_call_hyp(NULL, 0, boot_pgd_ptr) (MMU off: runs at the idmap PA)', effect: (_c, a) => ({ pc: a.initPa }) },
    { state: 'set-httbr', event: 'SET_HTTBR', fetch: null, cite: 'v3.10 arch/arm/kvm/init.S __do_hyp_init: cmp r0, #0 (phase 1); mcrr p15, 4, r2, r3, c2 @ HTTBR = boot_hyp_pgd', effect: () => ({ httbr: 'boot' }) },
    { state: 'enable-mmu', event: 'ENABLE_MMU', fetch: null, cite: 'v3.10 arch/arm/kvm/init.S __do_hyp_init: isb; mcr p15, 4, r0, c1, c0, 0 @ HSCR (HSCTLR.M = 1, running at the idmap)', effect: (_c, a) => ({ mmu: true, pc: a.idmapVa }) },
    { state: 'eret-phase1', event: 'ERET', fetch: 'idmap', cite: 'v3.10 arch/arm/kvm/init.S __do_hyp_init: @ End of init phase-1; eret (HYP MMU left on with the boot pgd)', effect: () => ({ pc: null }) },
    { state: 'hvc-phase2', event: 'HVC', fetch: 'idmap', cite: 'v3.10 arch/arm/include/asm/kvm_host.h __cpu_init_hyp_mode: kvm_call_hyp((void*)hyp_stack_ptr, vector_ptr, pgd_ptr) (enters at HVBAR = idmap VA, through the boot pgd)', effect: (_c, a) => ({ pc: a.idmapVa }) },
    { state: 'set-stack', event: 'SET_STACK', fetch: 'idmap', cite: 'v3.10 arch/arm/kvm/init.S phase2: mov sp, r0; mcr p15, 4, r1, c12, c0, 0 @ HVBAR = __kvm_hyp_vector', effect: () => ({ hsp: 'stack', hvbar: 'runtime' }) },
    { state: 'jump-trampoline', event: 'JUMP_TRAMPOLINE', fetch: 'tramp', cite: 'v3.10 arch/arm/kvm/init.S phase2: ldr r0, =TRAMPOLINE_VA; adr r1, target; bfi r0, r1, #0, #PAGE_SHIFT; mov pc, r0', effect: (_c, a) => ({ pc: a.trampolineVa }) },
  ];
  const switchPgd: InitStep = { state: 'switch-pgd', event: 'SWITCH_PGD', fetch: 'tramp', cite: 'v3.10 arch/arm/kvm/init.S target: mcrr p15, 4, r2, r3, c2 @ HTTBR = hyp_pgd; isb', effect: () => ({ httbr: 'hyp' }) };
  const tlbi: InitStep = { state: 'tlbi', event: 'TLBI', fetch: 'tramp', cite: 'v3.10 arch/arm/kvm/init.S target: mcr p15, 4, r0, c8, c7, 0 @ TLBIALLH', effect: () => ({ tlb: emptyTlb }) };
  const eret: InitStep = { state: 'eret', event: 'ERET', fetch: 'tramp', cite: 'v3.10 arch/arm/kvm/init.S target: dsb; eret (fetched after the TLBI: through the runtime pgd)', effect: () => ({ pc: null }) };
  const tramp = d.tlbi === 'after-switch' ? [switchPgd, tlbi, eret] : d.tlbi === 'before-switch' ? [tlbi, switchPgd, eret] : [switchPgd, eret];
  return [
    { name: 'boot-pgd', steps: bootPgd },
    { name: 'trampoline', steps: tramp },
  ];
}

export function initPhases(d: Design): InitPhase[] {
  return d.pgds === 'single' ? legacyPhases() : trampolinePhases(d);
}
