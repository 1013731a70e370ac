/**
 * The HYP init code as step lists, one entry per instruction group that changes what the CPU can see.
 * Each step names the kernel code it stands for. The CPU statechart (machines/cpu.ts) is generated from
 * these lists, so it reads in the kernel's order; a design's knobs choose and order the steps.
 */
import type { Design } from '../design/design';
import { emptyTlb } from '../mmu/tlb';
import type { ProfileName } from '../mmu/profile';
import type { InitPhase, InitStep } from './step-types';
import { pkvmDirectPhases } from './pkvm-steps';

export type { InitPhase, InitStep } from './step-types';

/** Linux v3.9, arch/arm/kvm/arm.c cpu_init_hyp_mode and arch/arm/kvm/init.S __do_hyp_init: one pass, one pgd. */
function legacyPhases(): InitPhase[] {
  return [
    {
      name: 'idmap',
      steps: [
        {
          state: 'set-vectors',
          event: 'SET_VECTORS',
          fetch: null,
          cite: 'v3.9 arch/arm/kvm/arm.c cpu_init_hyp_mode: __hyp_set_vectors(vector) (stub HVC, HVBAR = init code PA)',
          effect: () => ({ hvbar: 'init' }),
        },
        {
          state: 'hvc',
          event: 'HVC',
          fetch: null,
          cite: 'v3.9 arch/arm/kvm/arm.c cpu_init_hyp_mode: kvm_call_hyp(pgd_low, pgd_high, hyp_stack_ptr, vector_ptr) (MMU off: runs at the idmap PA)',
          effect: (_c, a) => ({ pc: a.initPa }),
        },
        {
          state: 'set-pgd',
          event: 'SET_PGD',
          fetch: null,
          cite: 'v3.9 arch/arm/kvm/init.S __do_hyp_init: mcrr p15, 4, r0, r1, c2 (HTTBR = hyp_pgd)',
          effect: () => ({ httbr: 'hyp' }),
        },
        {
          state: 'enable-mmu',
          event: 'ENABLE_MMU',
          fetch: null,
          cite: 'v3.9 arch/arm/kvm/init.S __do_hyp_init: isb; mcr p15, 4, r0, c1, c0, 0 @ HSCR (HSCTLR.M = 1, running at the idmap); isb',
          effect: (_c, a) => ({ mmu: true, pc: a.idmapVa }),
        },
        {
          state: 'set-stack',
          event: 'SET_STACK',
          fetch: 'idmap',
          cite: 'v3.9 arch/arm/kvm/init.S __do_hyp_init: mov sp, r2; mcr p15, 4, r3, c12, c0, 0 @ HVBAR',
          effect: () => ({ hsp: 'stack', hvbar: 'runtime' }),
        },
        {
          state: 'eret',
          event: 'ERET',
          fetch: 'idmap',
          cite: 'v3.9 arch/arm/kvm/init.S __do_hyp_init: eret (back to the kernel; HYP MMU stays on)',
          effect: () => ({ pc: null }),
        },
      ],
    },
  ];
}

/**
 * arm64 "Invalidate the stale TLBs from Bootloader", before the MMU goes on. Read in today's nvhe/hyp-init.S
 * ___kvm_hyp_init; the version that added it is UNVERIFIED (MODEL.md: well before v4.7), so the cite says so.
 */
const bootTlbi = (file: string): InitStep => ({
  state: 'tlbi-bootloader',
  event: 'TLBI',
  fetch: null,
  cite:
    `v4.7 ${file} __do_hyp_init: tlbi alle2; dsb sy (Invalidate the stale TLBs from Bootloader; text read in today's tree, v4.7 and its first ` +
    `version unverified)`,
  effect: () => ({ tlb: emptyTlb }),
});

/** Linux v3.10, arch/arm/kvm/init.S __do_hyp_init: two HVCs, the second jumps to the trampoline and switches pgd. */
function trampolinePhases(d: Design): InitPhase[] {
  const bootPgd: InitStep[] = [
    {
      state: 'set-vectors',
      event: 'SET_VECTORS',
      fetch: null,
      cite: 'v3.10 arch/arm/kvm/arm.c cpu_init_hyp_mode: __hyp_set_vectors(kvm_get_idmap_vector()) (stub HVC)',
      effect: () => ({ hvbar: 'init' }),
    },
    {
      state: 'hvc-phase1',
      event: 'HVC',
      fetch: null,
      cite: 'v3.10 arch/arm/include/asm/kvm_host.h __cpu_init_hyp_mode: kvm_call_hyp(NULL, 0, boot_pgd_ptr) (MMU off: runs at the idmap PA)',
      effect: (_c, a) => ({ pc: a.initPa }),
    },
    {
      state: 'set-pgd',
      event: 'SET_PGD',
      fetch: null,
      cite: 'v3.10 arch/arm/kvm/init.S __do_hyp_init: cmp r0, #0 (phase 1); mcrr p15, 4, r2, r3, c2 @ HTTBR = boot_hyp_pgd',
      effect: () => ({ httbr: 'boot' }),
    },
    ...(d.bootTlbi ? [bootTlbi('arch/arm64/kvm/hyp-init.S')] : []),
    {
      state: 'enable-mmu',
      event: 'ENABLE_MMU',
      fetch: null,
      cite: 'v3.10 arch/arm/kvm/init.S __do_hyp_init: isb; mcr p15, 4, r0, c1, c0, 0 @ HSCR (HSCTLR.M = 1, running at the idmap)',
      effect: (_c, a) => ({ mmu: true, pc: a.idmapVa }),
    },
    {
      state: 'eret-phase1',
      event: 'ERET',
      fetch: 'idmap',
      cite: 'v3.10 arch/arm/kvm/init.S __do_hyp_init: @ End of init phase-1; eret (HYP MMU left on with the boot pgd)',
      effect: () => ({ pc: null }),
    },
    {
      state: 'hvc-phase2',
      event: 'HVC',
      fetch: 'idmap',
      cite:
        'v3.10 arch/arm/include/asm/kvm_host.h __cpu_init_hyp_mode: kvm_call_hyp((void*)hyp_stack_ptr, vector_ptr, pgd_ptr) (enters at HVBAR = ' +
        'idmap VA, through the boot pgd)',
      effect: (_c, a) => ({ pc: a.idmapVa }),
    },
    {
      state: 'set-stack',
      event: 'SET_STACK',
      fetch: 'idmap',
      cite: 'v3.10 arch/arm/kvm/init.S phase2: mov sp, r0; mcr p15, 4, r1, c12, c0, 0 @ HVBAR = __kvm_hyp_vector',
      effect: () => ({ hsp: 'stack', hvbar: 'runtime' }),
    },
    {
      state: 'jump-trampoline',
      event: 'JUMP_TRAMPOLINE',
      fetch: 'tramp',
      cite: 'v3.10 arch/arm/kvm/init.S phase2: ldr r0, =TRAMPOLINE_VA; adr r1, target; bfi r0, r1, #0, #PAGE_SHIFT; mov pc, r0',
      effect: (_c, a) => ({ pc: a.trampolineVa }),
    },
  ];
  const switchPgd: InitStep = {
    state: 'switch-pgd',
    event: 'SWITCH_PGD',
    fetch: 'tramp',
    cite: 'v3.10 arch/arm/kvm/init.S target: mcrr p15, 4, r2, r3, c2 @ HTTBR = hyp_pgd; isb',
    effect: () => ({ httbr: 'hyp' }),
  };
  const tlbi: InitStep = {
    state: 'tlbi',
    event: 'TLBI',
    fetch: 'tramp',
    cite: 'v3.10 arch/arm/kvm/init.S target: mcr p15, 4, r0, c8, c7, 0 @ TLBIALLH',
    effect: () => ({ tlb: emptyTlb }),
  };
  const eret: InitStep = {
    state: 'eret',
    event: 'ERET',
    fetch: 'tramp',
    cite: 'v3.10 arch/arm/kvm/init.S target: dsb; eret (fetched after the TLBI: through the runtime pgd)',
    effect: () => ({ pc: null }),
  };
  const tramp = d.tlbi === 'after-switch' ? [switchPgd, tlbi, eret] : d.tlbi === 'before-switch' ? [tlbi, switchPgd, eret] : [switchPgd, eret];
  return [
    { name: 'boot-pgd', steps: bootPgd },
    { name: 'trampoline', steps: tramp },
  ];
}

/** Linux v4.8, arch/arm64/kvm/hyp-init.S __do_hyp_init: one HVC, one pgd holding the idmap and the runtime mappings. */
function mergedPhases(d: Design): InitPhase[] {
  return [
    {
      name: 'idmap',
      steps: [
        {
          state: 'set-vectors',
          event: 'SET_VECTORS',
          fetch: null,
          cite: 'v4.8 arch/arm/kvm/arm.c cpu_init_hyp_mode: __hyp_set_vectors(kvm_get_idmap_vector()) (stub HVC)',
          effect: () => ({ hvbar: 'init' }),
        },
        {
          state: 'hvc',
          event: 'HVC',
          fetch: null,
          cite:
            'v4.8 arch/arm64/include/asm/kvm_host.h __cpu_init_hyp_mode: __kvm_call_hyp((void *)pgd_ptr, hyp_stack_ptr, vector_ptr) (MMU off: ' +
            'at the idmap PA)',
          effect: (_c, a) => ({ pc: a.initPa }),
        },
        {
          state: 'set-pgd',
          event: 'SET_PGD',
          fetch: null,
          cite: 'v4.8 arch/arm64/kvm/hyp-init.S __do_hyp_init: msr ttbr0_el2, x0 (the one hyp_pgd)',
          effect: () => ({ httbr: 'hyp' }),
        },
        ...(d.bootTlbi ? [bootTlbi('arch/arm64/kvm/hyp-init.S')] : []),
        {
          state: 'enable-mmu',
          event: 'ENABLE_MMU',
          fetch: null,
          cite: 'v4.8 arch/arm64/kvm/hyp-init.S __do_hyp_init: msr sctlr_el2, x4 (M = 1, at the idmap); isb',
          effect: (_c, a) => ({ mmu: true, pc: a.idmapVa }),
        },
        {
          state: 'set-stack',
          event: 'SET_STACK',
          fetch: 'idmap',
          cite: 'v4.8 arch/arm64/kvm/hyp-init.S __do_hyp_init: kern_hyp_va x1; mov sp, x1; kern_hyp_va x2; msr vbar_el2, x2',
          effect: () => ({ hsp: 'stack', hvbar: 'runtime' }),
        },
        {
          state: 'eret',
          event: 'ERET',
          fetch: 'idmap',
          cite: 'v4.8 arch/arm64/kvm/hyp-init.S __do_hyp_init: eret (Hello, World!)',
          effect: () => ({ pc: null }),
        },
      ],
    },
  ];
}

/**
 * arm64's own two-pgd init, read from arch/arm64/kvm/hyp-init.S as first merged (v3.11, Marc Zyngier's
 * __do_hyp_init; text read from virtualopensystems/linux-kvm-arm): one HVC with x0-x3 (boot pgd, runtime
 * pgd, stack, vectors), no eret between turning the MMU on and the switch, and SP and VBAR set only after
 * the TLBI, at the trampoline VA through the runtime pgd.
 */
function arm64TrampolinePhases(d: Design): InitPhase[] {
  const f = 'arch/arm64/kvm/hyp-init.S __do_hyp_init';
  const bootPgd: InitStep[] = [
    {
      state: 'set-vectors',
      event: 'SET_VECTORS',
      fetch: null,
      cite: 'v3.11 arch/arm/kvm/arm.c cpu_init_hyp_mode: __hyp_set_vectors(kvm_get_idmap_vector()) (stub hvc)',
      effect: () => ({ hvbar: 'init' }),
    },
    {
      state: 'hvc',
      event: 'HVC',
      fetch: null,
      cite:
        'v3.11 arch/arm64/include/asm/kvm_host.h __cpu_init_hyp_mode: kvm_call_hyp((void *)boot_pgd_ptr, pgd_ptr, hyp_stack_ptr, vector_ptr) ' +
        '(one hvc, x0-x3; MMU off: at the idmap PA)',
      effect: (_c, a) => ({ pc: a.initPa }),
    },
    { state: 'set-pgd', event: 'SET_PGD', fetch: null, cite: `v3.11 ${f}: msr ttbr0_el2, x0 (the boot pgd)`, effect: () => ({ httbr: 'boot' }) },
    ...(d.bootTlbi ? [bootTlbi('arch/arm64/kvm/hyp-init.S')] : []),
    {
      state: 'enable-mmu',
      event: 'ENABLE_MMU',
      fetch: null,
      cite: `v3.11 ${f}: mov x4, #SCTLR_EL2_FLAGS; msr sctlr_el2, x4; isb (MMU on, at the idmap)`,
      effect: (_c, a) => ({ mmu: true, pc: a.idmapVa }),
    },
    {
      state: 'ldr-trampoline',
      event: 'LDR_TRAMPOLINE_VA',
      fetch: 'idmap',
      cite: `v3.11 ${f}: ldr x4, =TRAMPOLINE_VA; adr x5, target; bfi x4, x5, #0, #PAGE_SHIFT (Get ready for the trampoline dance)`,
      effect: () => ({}),
    },
    {
      state: 'jump-trampoline',
      event: 'JUMP_TRAMPOLINE',
      fetch: 'tramp',
      cite: `v3.11 ${f}: br x4 (to target at the trampoline VA, through the boot pgd)`,
      effect: (_c, a) => ({ pc: a.trampolineVa }),
    },
  ];
  const switchPgd: InitStep = {
    state: 'switch-pgd',
    event: 'SWITCH_PGD',
    fetch: 'tramp',
    cite: `v3.11 ${f} target: msr ttbr0_el2, x1; isb (the runtime pgd)`,
    effect: () => ({ httbr: 'hyp' }),
  };
  const tlbi: InitStep = {
    state: 'tlbi',
    event: 'TLBI',
    fetch: 'tramp',
    cite: `v3.11 ${f} target: tlbi alle2; dsb sy (Invalidate the old TLBs)`,
    effect: () => ({ tlb: emptyTlb }),
  };
  const stack: InitStep = {
    state: 'set-stack',
    event: 'SET_STACK',
    fetch: 'tramp',
    cite: `v3.11 ${f}: kern_hyp_va x2; mov sp, x2; kern_hyp_va x3; msr vbar_el2, x3 (after the TLBI)`,
    effect: () => ({ hsp: 'stack', hvbar: 'runtime' }),
  };
  const eret: InitStep = { state: 'eret', event: 'ERET', fetch: 'tramp', cite: `v3.11 ${f}: eret (Hello, World!)`, effect: () => ({ pc: null }) };
  const tramp =
    d.tlbi === 'after-switch' ? [switchPgd, tlbi, stack, eret] : d.tlbi === 'before-switch' ? [tlbi, switchPgd, stack, eret] : [switchPgd, stack, eret];
  return [
    { name: 'boot-pgd', steps: bootPgd },
    { name: 'trampoline', steps: tramp },
  ];
}

/**
 * The merged-pgd branch of arm64's __do_hyp_init (v4.0-v4.7; text read in a v4.1-based tree, MarekBykowski/
 * Linux_Kernel_4_1): when kvm_mmu_init merged the boot and runtime pgds (__kvm_cpu_uses_extended_idmap(), both
 * kvm_mmu_get_boot_httbr and kvm_mmu_get_httbr return merged_hyp_pgd), x0 == x1 and "cmp x0, x1; b.eq merged"
 * skips the trampoline jump, the TTBR0_EL2 switch and its TLBI: SP and VBAR are set, and eret fetched, at the idmap.
 */
function arm64MergedBranchPhases(d: Design): InitPhase[] {
  const f = 'arch/arm64/kvm/hyp-init.S __do_hyp_init';
  return [
    {
      name: 'idmap',
      steps: [
        {
          state: 'set-vectors',
          event: 'SET_VECTORS',
          fetch: null,
          cite: 'v4.1 arch/arm/kvm/arm.c cpu_init_hyp_mode: __hyp_set_vectors(kvm_get_idmap_vector()) (stub hvc)',
          effect: () => ({ hvbar: 'init' }),
        },
        {
          state: 'hvc',
          event: 'HVC',
          fetch: null,
          cite:
            'v4.1 arch/arm/kvm/arm.c cpu_init_hyp_mode: __cpu_init_hyp_mode(boot_pgd_ptr, pgd_ptr, hyp_stack_ptr, vector_ptr), both pgds ' +
            'merged_hyp_pgd (MMU off: at the idmap PA)',
          effect: (_c, a) => ({ pc: a.initPa }),
        },
        { state: 'set-pgd', event: 'SET_PGD', fetch: null, cite: `v4.1 ${f}: msr ttbr0_el2, x0 (x0 = x1 = merged_hyp_pgd)`, effect: () => ({ httbr: 'hyp' }) },
        ...(d.bootTlbi ? [bootTlbi('arch/arm64/kvm/hyp-init.S')] : []),
        {
          state: 'enable-mmu',
          event: 'ENABLE_MMU',
          fetch: null,
          cite: `v4.1 ${f}: msr sctlr_el2, x4; isb (MMU on, at the idmap)`,
          effect: (_c, a) => ({ mmu: true, pc: a.idmapVa }),
        },
        {
          state: 'branch-merged',
          event: 'BRANCH_MERGED',
          fetch: 'idmap',
          cite: `v4.1 ${f}: cmp x0, x1; b.eq merged (Skip the trampoline dance if we merged the boot and runtime PGDs)`,
          effect: () => ({}),
        },
        {
          state: 'set-stack',
          event: 'SET_STACK',
          fetch: 'idmap',
          cite: `v4.1 ${f} merged: kern_hyp_va x2; mov sp, x2; kern_hyp_va x3; msr vbar_el2, x3`,
          effect: () => ({ hsp: 'stack', hvbar: 'runtime' }),
        },
        { state: 'eret', event: 'ERET', fetch: 'idmap', cite: `v4.1 ${f}: eret (Hello, World!)`, effect: () => ({ pc: null }) },
      ],
    },
  ];
}

/** The step list a design runs on a profile: ARMv7's init.S, or arm64's hyp-init.S for the two-pgd designs. */
export function initPhases(d: Design, profile: ProfileName = 'armv7'): InitPhase[] {
  if (d.pgds === 'single') return legacyPhases();
  // Merged pgds under the pre-v4.8 kern_hyp_va mask: v4.0-v4.7's __do_hyp_init, still given x0 and x1, takes its b.eq.
  if (d.pgds === 'merged') return profile === 'arm64' && d.hypVaMask === 'high' ? arm64MergedBranchPhases(d) : mergedPhases(d);
  if (d.pgds === 'pkvm') return pkvmDirectPhases(d);
  return profile === 'arm64' ? arm64TrampolinePhases(d) : trampolinePhases(d);
}

/** The end of every arm64 HYP reset: MMU off in the idmap, (TLBI,) stub vectors, eret. */
function resetTail(d: Design): InitStep[] {
  return [
    {
      state: 'disable-mmu',
      event: 'DISABLE_MMU',
      fetch: 'idmap',
      cite:
        `${d.kernel} arch/arm64/kvm/hyp-init.S __kvm_hyp_reset: 1: mrs x0, sctlr_el2; bic x0, x0, x1 (SCTLR_ELx_FLAGS); msr sctlr_el2, x0; isb ` +
        `[text unverified]`,
      effect: (_c, a) => ({ mmu: false, pc: a.initPa }),
    },
    ...(d.hypReset === 'trampoline'
      ? [
          {
            state: 'tlbi-mmu-off',
            event: 'TLBI',
            fetch: null,
            cite: 'v4.7 arch/arm64/kvm/hyp-init.S __kvm_hyp_reset: tlbi alle2; dsb sy (Invalidate the old TLBs) [text unverified]',
            effect: () => ({ tlb: emptyTlb }),
          } satisfies InitStep,
        ]
      : []),
    {
      state: 'stub-vectors',
      event: 'SET_STUB_VECTORS',
      fetch: null,
      cite: `${d.kernel} arch/arm64/kvm/hyp-init.S __kvm_hyp_reset: adr_l x0, __hyp_stub_vectors; msr vbar_el2, x0 [text unverified]`,
      effect: () => ({ hvbar: 'stub', hsp: 'none' }),
    },
    {
      state: 'eret',
      event: 'ERET',
      fetch: null,
      cite: `${d.kernel} arch/arm64/kvm/hyp-init.S __kvm_hyp_reset: eret (back to the kernel, HYP is the stub again) [text unverified]`,
      effect: () => ({ pc: null, httbr: null }),
    },
  ];
}

/**
 * HYP teardown before the CPU goes down or into deep idle. v4.7 (67f691976662) arch/arm64/kvm/hyp-init.S
 * __kvm_hyp_reset: the trampoline dance backwards. v4.8 (3421e9d88d7a) __kvm_hyp_teardown: straight to
 * the idmap alias of __kvm_hyp_reset, MMU off, stub vectors. The __kvm_hyp_reset text and both commit ids
 * were not re-read from source in issue 13 (no stored copy found): the cites say "unverified".
 */
export function teardownSteps(d: Design): InitStep[] {
  if (d.hypReset === 'none') return [];
  const tail = resetTail(d);
  if (d.hypReset === 'idmap')
    return [
      {
        state: 'hvc-reset',
        event: 'HVC',
        fetch: 'text',
        cite:
          'v4.8 arch/arm64/include/asm/kvm_host.h __cpu_reset_hyp_mode: kvm_call_hyp(__kvm_hyp_teardown, phys_idmap_start) (enters at ' +
          '__kvm_hyp_vector) [text unverified]',
        effect: () => ({}),
      },
      {
        state: 'jump-idmap',
        event: 'JUMP_IDMAP',
        fetch: 'idmap',
        cite:
          'v4.8 arch/arm64/kvm/hyp/hyp-entry.S __kvm_hyp_teardown: bfi x4, x3, #0, #PAGE_SHIFT; br x4 (the idmap alias of __kvm_hyp_reset) ' +
          '[text unverified]',
        effect: (_c, a) => ({ pc: a.idmapVa }),
      },
      ...tail,
    ];
  return [
    {
      state: 'hvc-reset',
      event: 'HVC',
      fetch: 'text',
      cite:
        'v4.7 arch/arm/kvm/arm.c cpu_hyp_reset: __cpu_reset_hyp_mode(boot_pgd_ptr, phys_idmap_start) → __kvm_call_hyp(kvm_hyp_reset_entry(), ' +
        '...) (enters at __kvm_hyp_vector) [text unverified]',
      effect: () => ({}),
    },
    {
      state: 'jump-trampoline',
      event: 'JUMP_TRAMPOLINE',
      fetch: 'tramp',
      cite: 'v4.7 arch/arm64/kvm/reset.c kvm_hyp_reset_entry: the trampoline alias of __kvm_hyp_reset [text unverified]',
      effect: (_c, a) => ({ pc: a.trampolineVa }),
    },
    {
      state: 'switch-pgd',
      event: 'SWITCH_PGD',
      fetch: 'tramp',
      cite: 'v4.7 arch/arm64/kvm/hyp-init.S __kvm_hyp_reset: msr ttbr0_el2, x0 (back to the boot pgd); isb [text unverified]',
      effect: () => ({ httbr: 'boot' }),
    },
    ...(d.resetTlbi
      ? [
          {
            state: 'tlbi',
            event: 'TLBI',
            fetch: 'tramp',
            cite:
              "v4.7 arch/arm64/kvm/hyp-init.S __kvm_hyp_reset: ic iallu; tlbi alle2; dsb sy; isb (Ensure the PA branch doesn't find a stale tlb " +
              'entry or stale code) [text unverified]',
            effect: () => ({ tlb: emptyTlb }),
          } satisfies InitStep,
        ]
      : []),
    {
      state: 'jump-idmap',
      event: 'JUMP_IDMAP',
      fetch: 'idmap',
      cite: 'v4.7 arch/arm64/kvm/hyp-init.S __kvm_hyp_reset: adr x0, 1f; bfi x1, x0, #0, #PAGE_SHIFT; br x1 (Branch into PA space) [text unverified]',
      effect: (_c, a) => ({ pc: a.idmapVa }),
    },
    ...tail,
  ];
}
