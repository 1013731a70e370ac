/**
 * Protected KVM's HYP init as step lists (arm64 nVHE, v5.13 onwards). Text read from torvalds/linux
 * arch/arm64/kvm/hyp/nvhe/hyp-init.S (___kvm_hyp_init, __pkvm_init_switch_pgd) and nvhe/setup.c
 * (__pkvm_init), and the v5.13 arch/arm64/kvm/arm.c do_pkvm_init / kvm_hyp_init_protection patch.
 * The switch is the seed's trick in today's kernel: EL2 leaves the page tables it runs on for others by
 * going through the idmap, with a TLB invalidation between the two.
 */
import type { Design } from '../design/design';
import type { PgdName } from '../mmu/memory';
import { emptyTlb } from '../mmu/tlb';
import type { InitPhase, InitStep } from './step-types';

/** Text read in torvalds/linux at 01f492e1 (today's tree); v5.13's differs in detail (e.g. `tlbi alle1` came later). */
const initS = 'v5.13+ arch/arm64/kvm/hyp/nvhe/hyp-init.S';

/** cpu_init_hyp_mode → __kvm_hyp_init → ___kvm_hyp_init, with TTBR0_EL2 = params->pgd_pa (`pgd`). */
function kvmHypInit(pgd: PgdName, d: Design): InitStep[] {
  const which = pgd === 'pkvm' ? 'params->pgd_pa = pkvm_pgtable (update_nvhe_init_params)' : 'params->pgd_pa = the host-built hyp pgd';
  return [
    {
      state: 'set-vectors',
      event: 'SET_VECTORS',
      fetch: null,
      cite: 'v5.13 arch/arm64/kvm/arm.c hyp_install_host_vector: __hyp_set_vectors(kvm_get_idmap_vector()) (stub hvc)',
      effect: () => ({ hvbar: 'init' }),
    },
    {
      state: 'hvc',
      event: 'HVC',
      fetch: null,
      cite: 'v5.13 arch/arm64/kvm/arm.c hyp_install_host_vector: arm_smccc_1_1_hvc(__kvm_hyp_init, virt_to_phys(params)) (MMU off: at the idmap PA)',
      effect: (_c, a) => ({ pc: a.initPa }),
    },
    {
      state: 'set-stack',
      event: 'SET_STACK',
      fetch: null,
      cite: `${initS} ___kvm_hyp_init: ldr x1, [x0, #NVHE_INIT_STACK_HYP_VA]; mov sp, x1`,
      effect: () => ({ hsp: 'stack' }),
    },
    {
      state: 'set-pgd',
      event: 'SET_PGD',
      fetch: null,
      cite: `${initS} ___kvm_hyp_init: ldr x1, [x0, #NVHE_INIT_PGD_PA]; msr ttbr0_el2, x2 (${which})`,
      effect: () => ({ httbr: pgd }),
    },
    ...(d.bootTlbi
      ? [
          {
            state: 'tlbi-bootloader',
            event: 'TLBI',
            fetch: null,
            cite: `${initS} ___kvm_hyp_init: tlbi alle2; tlbi alle1; dsb sy (Invalidate the stale TLBs from Bootloader)`,
            effect: () => ({ tlb: emptyTlb }),
          } satisfies InitStep,
        ]
      : []),
    {
      state: 'enable-mmu',
      event: 'ENABLE_MMU',
      fetch: null,
      cite: `${initS} ___kvm_hyp_init: mov_q x0, INIT_SCTLR_EL2_MMU_ON; msr sctlr_el2, x0; isb`,
      effect: (_c, a) => ({ mmu: true, pc: a.idmapVa }),
    },
    {
      state: 'set-host-vector',
      event: 'SET_VECTORS',
      fetch: 'idmap',
      cite: `${initS} ___kvm_hyp_init: ldr x0, =__kvm_hyp_host_vector; msr vbar_el2, x0 (Set the host vector)`,
      effect: () => ({ hvbar: 'runtime' }),
    },
    {
      state: 'eret',
      event: 'ERET',
      fetch: 'idmap',
      cite: `${initS} __kvm_hyp_init: mov x0, #SMCCC_RET_SUCCESS; eret (Hello, World!)`,
      effect: () => ({ pc: null }),
    },
  ];
}

/** Every CPU but the one that ran __pkvm_init: straight onto EL2's own tables (init_subsystems, PSCI CPU_ON / resume). */
export function pkvmDirectPhases(d: Design): InitPhase[] {
  return [{ name: 'pkvm', steps: kvmHypInit('pkvm', d) }];
}

/**
 * The CPU running kvm_arch_init (do_pkvm_init, preemption off): HYP on the host-built pgd, then __pkvm_init
 * and the switch. With `pkvmMmuOff` false the steps between the switch and the MMU coming back are fetched
 * at the idmap VA through whatever TTBR0_EL2 holds at that moment.
 */
export function pkvmSwitchPhases(d: Design): InitPhase[] {
  const on = d.pkvmMmuOff ? null : 'idmap';
  const sw = `${initS} __pkvm_init_switch_pgd`;
  const steps: InitStep[] = [
    {
      state: 'hvc-pkvm-init',
      event: 'HVC',
      fetch: 'text',
      cite: 'v5.13 arch/arm64/kvm/arm.c do_pkvm_init: kvm_call_hyp_nvhe(__pkvm_init, hyp_mem_base, ...) (enters __kvm_hyp_host_vector through the host pgd)',
      effect: () => ({}),
    },
    {
      state: 'jump-idmap',
      event: 'JUMP_IDMAP',
      fetch: 'idmap',
      cite:
        'v5.13 arch/arm64/kvm/hyp/nvhe/setup.c __pkvm_init: recreate_hyp_mappings(); update_nvhe_init_params(); fn = ' +
        '__hyp_pa(__pkvm_init_switch_pgd); fn(...) (Jump in the idmap page)',
      effect: (_c, a) => ({ pc: a.idmapVa }),
    },
    ...(d.pkvmMmuOff
      ? [
          {
            state: 'disable-mmu',
            event: 'DISABLE_MMU',
            fetch: 'idmap',
            cite: `${sw}: mrs x3, sctlr_el2; bic x4, x3, #SCTLR_ELx_M; msr sctlr_el2, x4; isb (Turn the MMU off)`,
            effect: (_c, a) => ({ mmu: false, pc: a.initPa }),
          } satisfies InitStep,
        ]
      : []),
    ...(d.tlbi !== 'none'
      ? [{ state: 'tlbi', event: 'TLBI', fetch: on, cite: `${sw}: tlbi alle2`, effect: () => ({ tlb: emptyTlb }) } satisfies InitStep]
      : []),
    {
      state: 'switch-pgd',
      event: 'SWITCH_PGD',
      fetch: on,
      cite: `${sw}: phys_to_ttbr x5, x0; msr ttbr0_el2, x5 (Install the new pgtables)`,
      effect: () => ({ httbr: 'pkvm' }),
    },
    { state: 'new-stack', event: 'SET_STACK', fetch: on, cite: `${sw}: mov sp, x1 (Set the new stack pointer)`, effect: () => ({ hsp: 'stack' }) },
    ...(d.pkvmMmuOff
      ? [
          {
            state: 'enable-mmu',
            event: 'ENABLE_MMU',
            fetch: null,
            cite: `${sw}: dsb nsh; isb; set_sctlr_el2 x3 (And turn the MMU back on!)`,
            effect: (_c, a) => ({ mmu: true, pc: a.idmapVa }),
          } satisfies InitStep,
        ]
      : []),
    { state: 'ret', event: 'RET', fetch: 'idmap', cite: `${sw}: ret x2 (fetched at the idmap VA through the new tables)`, effect: () => ({}) },
    {
      state: 'finalise',
      event: 'PKVM_INIT_FINALISE',
      fetch: 'text',
      cite: 'v5.13 arch/arm64/kvm/hyp/nvhe/setup.c __pkvm_init_finalise (at its HYP VA, through pkvm_pgtable)',
      effect: () => ({}),
    },
    {
      state: 'eret',
      event: 'ERET',
      fetch: 'text',
      cite: 'v5.13 arch/arm64/kvm/hyp/nvhe/setup.c __pkvm_init_finalise: __host_enter(host_ctxt) (back to do_pkvm_init)',
      effect: () => ({ pc: null }),
    },
  ];
  return [
    { name: 'pkvm-host', steps: kvmHypInit('hyp', d) },
    { name: 'pkvm-switch', steps },
  ];
}
