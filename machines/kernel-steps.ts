/**
 * The kernel's side of HYP init as a step list (arch/arm/kvm/arm.c init_hyp_mode and kvm_arch_init,
 * arch/arm/kvm/mmu.c kvm_mmu_init and free_boot_hyp_pgd), chosen by the design's knobs.
 */
import { configHotplugCpu, type Design } from '../design/design';
import type { Layout } from '../mmu/layout';
import type { MemWrite } from '../mmu/memory';

/** The kernel's steps across every design: the names its events carry. */
export type KernelStepName =
  | 'CPU_NOTIFIER_REGISTER_BEGIN'
  | 'KVM_MMU_INIT'
  | 'CREATE_HYP_MAPPINGS'
  | 'ON_EACH_CPU'
  | 'SMP_CALL_FUNCTION_SINGLE'
  | 'KVM_CLEAR_HYP_IDMAP'
  | 'FREE_BOOT_HYP_PGD'
  | 'PKVM_INIT'
  | 'FREE_HYP_PGDS'
  | 'REGISTER_CPU_NOTIFIER'
  | 'CPU_NOTIFIER_REGISTER_DONE'
  | 'HYP_CPU_PM_INIT'
  | 'HARDWARE_DISABLE'
  | 'HARDWARE_ENABLE_ALL'
  | 'KVM_UP';

export interface KernelStep {
  readonly state: string;
  readonly event: KernelStepName;
  readonly cite: string;
  /** Page-table and flag writes, in order, done atomically by the step. */
  readonly writes: readonly MemWrite[];
  /**
   * 'each': on_each_cpu (send INIT to every online CPU, wait for all); 'one': the v3.9 smp_call_function_single
   * loop; 'first': the calling CPU does it itself (pKVM do_pkvm_init), writes done first, then waited for.
   */
  readonly ipi?: 'each' | 'one' | 'first';
  /** What an 'each' step sends (default INIT: cpu_init_hyp_mode; HYP_RESET: kvm_arch_hardware_disable). */
  readonly message?: 'INIT' | 'HYP_RESET';
  /** Offered only once a VM exists (hardware_enable_all runs from kvm_create_vm). */
  readonly whenVmExists?: boolean;
}

export interface KernelBounds {
  readonly cpus: number;
  /** CPU-down operations allowed (with the design's hotplugCpu 'auto', CONFIG_HOTPLUG_CPU is configured iff > 0). */
  readonly hotplug: number;
}

const flag = (f: 'notifier' | 'kvmUp' | 'hotplugLock' | 'pmNotifier' | 'vmExists', value: boolean): MemWrite => ({ type: 'mem.flag', flag: f, value });

function notifierCite(d: Design): string {
  if (d.hotplugSafeRegistration)
    return 'v3.15 arch/arm/kvm/arm.c kvm_arch_init: __register_cpu_notifier(&hyp_init_cpu_nb) (text read; the commit that added it unverified)';
  // v3.9 has no notifier: legacy-hotplug adds v3.10's, the fix the seed explains could not be made alone.
  if (d.pgds === 'single') return 'not in v3.9: the v3.10 arch/arm/kvm/arm.c kvm_arch_init register_cpu_notifier(&hyp_init_cpu_nb) added to v3.9';
  return 'v3.10 arch/arm/kvm/arm.c kvm_arch_init: register_cpu_notifier(&hyp_init_cpu_nb)';
}

/** create_hyp_mappings of the HYP text, the per-CPU stacks and host contexts into `pgd`. */
function runtimeWrites(l: Layout, cpus: number, pgd: 'hyp' | 'pkvm'): MemWrite[] {
  return [
    { type: 'mem.map', pgd, va: l.text.va, pa: l.text.pa, what: 'HYP text' },
    ...l.stacks.slice(0, cpus).map((p, i): MemWrite => ({ type: 'mem.map', pgd, va: p.va, pa: p.pa, what: `stack cpu${i}` })),
    ...l.hostCtx.slice(0, cpus).map((p, i): MemWrite => ({ type: 'mem.map', pgd, va: p.va, pa: p.pa, what: `host ctx cpu${i}` })),
  ];
}

/** pKVM (v5.13 arch/arm64/kvm/arm.c kvm_arch_init → init_hyp_mode → kvm_hyp_init_protection, then init_subsystems). */
function pkvmKernelSteps(d: Design, l: Layout, b: KernelBounds): KernelStep[] {
  const idmap = (pgd: 'hyp' | 'pkvm'): MemWrite => ({ type: 'mem.map', pgd, va: l.idmapVa, pa: l.initPa, what: 'idmap' });
  const a = 'v5.13 arch/arm64/kvm/arm.c';
  const pmResume: KernelStep = {
    state: 'hyp-cpu-pm-init',
    event: 'HYP_CPU_PM_INIT',
    cite:
      "v5.13+ arch/arm64/kvm/hyp/nvhe/psci-relay.c psci_cpu_suspend: resumes at kvm_hyp_cpu_resume → ___kvm_hyp_init (entry read in today's " +
      'hyp-init.S; v5.13 unverified)',
    writes: [flag('pmNotifier', true)],
  };
  return [
    {
      state: 'mmu-init',
      event: 'KVM_MMU_INIT',
      cite: 'v5.13 arch/arm64/kvm/mmu.c kvm_mmu_init: kvm_map_idmap_text() (the idmap in the host-built hyp pgd)',
      writes: [idmap('hyp')],
    },
    {
      state: 'create-hyp-mappings',
      event: 'CREATE_HYP_MAPPINGS',
      cite: `${a} init_hyp_mode: create_hyp_mappings(__hyp_text_start ...), the per-CPU stacks and percpu pages`,
      writes: runtimeWrites(l, b.cpus, 'hyp'),
    },
    {
      state: 'pkvm-init',
      event: 'PKVM_INIT',
      cite:
        `${a} kvm_hyp_init_protection → do_pkvm_init on this CPU (preempt_disable); nvhe/setup.c __pkvm_init → recreate_hyp_mappings: ` +
        `hyp_create_idmap, pkvm_create_mappings(text, per-CPU pages, stacks)`,
      writes: [...(d.pkvmIdmap ? [idmap('pkvm')] : []), ...runtimeWrites(l, b.cpus, 'pkvm')],
      ipi: 'first',
    },
    {
      state: 'free-hyp-pgds',
      event: 'FREE_HYP_PGDS',
      cite: `${a} kvm_hyp_init_protection: free_hyp_pgds() (the host frees the tables it built)`,
      writes: [{ type: 'mem.free', pgd: 'hyp' }],
    },
    {
      state: 'on-each-cpu',
      event: 'ON_EACH_CPU',
      cite:
        `${a} init_subsystems: on_each_cpu(_kvm_arch_hardware_enable, NULL, 1) → cpu_init_hyp_mode with params->pgd_pa = pkvm_pgtable; no ` +
        `_kvm_arch_hardware_disable when protected`,
      writes: [],
      ipi: 'each',
    },
    {
      state: 'register-cpu-notifier',
      event: 'REGISTER_CPU_NOTIFIER',
      cite:
        'v5.13+ arch/arm64/kvm/hyp/nvhe/psci-relay.c psci_cpu_on: CPU_ON enters EL2 at kvm_hyp_cpu_entry → ___kvm_hyp_init with pkvm_pgtable ' +
        "(entry read in today's hyp-init.S; v5.13 unverified)",
      writes: [flag('notifier', true)],
    },
    ...(d.cpuPmNotifier ? [pmResume] : []),
    {
      state: 'kvm-up',
      event: 'KVM_UP',
      cite: `${d.kernel} virt/kvm/kvm_main.c kvm_init: kvm_arch_init() returned 0, /dev/kvm registered`,
      writes: [flag('kvmUp', true)],
    },
  ];
}

/**
 * v4.7+ with KVM core owning HYP (MODEL.md Corrections, not re-read here): init_hyp_mode (kvm_mmu_init,
 * create_hyp_mappings, then free_boot_hyp_pgd), init_subsystems (enable on every CPU, CPU PM notifier,
 * disable on every CPU), kvm_init's CPU hotplug callback, and hardware_enable_all once a VM exists.
 */
function kvmCoreSteps(d: Design, l: Layout, b: KernelBounds): KernelStep[] {
  const v = d.kernel;
  const mmu: MemWrite[] = d.pgds === 'merged' ? [{ type: 'mem.map', pgd: 'hyp', va: l.idmapVa, pa: l.initPa, what: 'idmap' }] : splitMmuWrites(d, l);
  const free = d.pgds === 'split' && (d.freeBootPgd === 'always' || (d.freeBootPgd === 'without-hotplug' && !configHotplugCpu(d, b.hotplug)));
  return [
    {
      state: 'mmu-init',
      event: 'KVM_MMU_INIT',
      cite: `${v} arch/arm/kvm/mmu.c kvm_mmu_init: the idmap${d.pgds === 'split' ? ' and the trampoline' : ''} (unverified for ${v})`,
      writes: mmu,
    },
    {
      state: 'create-hyp-mappings',
      event: 'CREATE_HYP_MAPPINGS',
      cite: `${v} arch/arm/kvm/arm.c init_hyp_mode: create_hyp_mappings(text, stacks, host state)`,
      writes: runtimeWrites(l, b.cpus, 'hyp'),
    },
    ...(free
      ? [
          {
            ...freeBootPgdStep(l),
            cite:
              `${v} arch/arm/kvm/arm.c init_hyp_mode ends: #ifndef CONFIG_HOTPLUG_CPU free_boot_hyp_pgd() (MODEL.md Corrections; the #ifndef in ` +
              `${v} unverified)`,
          },
        ]
      : []),
    {
      state: 'on-each-cpu',
      event: 'ON_EACH_CPU',
      cite: `${v} arch/arm/kvm/arm.c init_subsystems: on_each_cpu(_kvm_arch_hardware_enable, NULL, 1) → cpu_hyp_reinit → cpu_init_hyp_mode`,
      writes: [],
      ipi: 'each',
    },
    ...(d.cpuPmNotifier
      ? [
          {
            state: 'hyp-cpu-pm-init',
            event: 'HYP_CPU_PM_INIT',
            cite: `${v} arch/arm/kvm/arm.c init_subsystems: hyp_cpu_pm_init()`,
            writes: [flag('pmNotifier', true)],
          } satisfies KernelStep,
        ]
      : []),
    {
      state: 'hardware-disable',
      event: 'HARDWARE_DISABLE',
      cite: `${v} arch/arm/kvm/arm.c init_subsystems, out: on_each_cpu(_kvm_arch_hardware_disable, NULL, 1) → cpu_hyp_reset`,
      writes: [],
      ipi: 'each',
      message: 'HYP_RESET',
    },
    ...(d.cpuNotifier
      ? [
          {
            state: 'register-cpu-notifier',
            event: 'REGISTER_CPU_NOTIFIER',
            cite:
              `${v} virt/kvm/kvm_main.c kvm_init: register_cpu_notifier(&kvm_cpu_notifier) (kvm_cpu_hotplug → hardware_enable_nolock while ` +
              `kvm_usage_count)`,
            writes: [flag('notifier', true)],
          } satisfies KernelStep,
        ]
      : []),
    {
      state: 'kvm-up',
      event: 'KVM_UP',
      cite: `${v} virt/kvm/kvm_main.c kvm_init: kvm_arch_init() returned 0, /dev/kvm registered`,
      writes: [flag('kvmUp', true)],
    },
    {
      state: 'hardware-enable-all',
      event: 'HARDWARE_ENABLE_ALL',
      cite: `${v} virt/kvm/kvm_main.c kvm_create_vm → hardware_enable_all: on_each_cpu(hardware_enable_nolock, NULL, 1)`,
      writes: [],
      ipi: 'each',
      whenVmExists: true,
    },
  ];
}

function splitMmuWrites(d: Design, l: Layout): MemWrite[] {
  const w: MemWrite[] = [{ type: 'mem.map', pgd: 'boot', va: l.idmapVa, pa: l.initPa, what: 'idmap' }];
  if (d.bootTrampoline) w.push({ type: 'mem.map', pgd: 'boot', va: l.trampolineVa, pa: l.initPa, what: 'trampoline' });
  if (d.runtimeTrampoline) w.push({ type: 'mem.map', pgd: 'hyp', va: l.trampolineVa, pa: l.initPa, what: 'trampoline' });
  return w;
}

function freeBootPgdStep(l: Layout): KernelStep {
  return {
    state: 'free-boot-hyp-pgd',
    event: 'FREE_BOOT_HYP_PGD',
    cite:
      'v3.10 arch/arm/kvm/arm.c init_hyp_mode: #ifndef CONFIG_HOTPLUG_CPU free_boot_hyp_pgd(); (arch/arm/kvm/mmu.c: unmap idmap and trampoline, ' +
      'kfree(boot_hyp_pgd), boot_hyp_pgd = NULL, unmap TRAMPOLINE_VA from hyp_pgd)',
    writes: [
      { type: 'mem.unmap', pgd: 'boot', va: l.idmapVa, what: 'idmap' },
      { type: 'mem.unmap', pgd: 'boot', va: l.trampolineVa, what: 'trampoline' },
      { type: 'mem.free', pgd: 'boot' },
      { type: 'mem.unmap', pgd: 'hyp', va: l.trampolineVa, what: 'trampoline' },
    ],
  };
}

/** kvm_mmu_init: where the idmap (and the trampoline) is mapped, by how many HYP pgds the design has. */
function mmuInitStep(d: Design, l: Layout): KernelStep {
  if (d.pgds === 'merged') {
    return {
      state: 'mmu-init',
      event: 'KVM_MMU_INIT',
      cite: 'v4.8 arch/arm/kvm/mmu.c kvm_mmu_init: kvm_map_idmap_text(hyp_pgd) (the idmap in the one HYP pgd; "IDMAP intersecting with HYP VA" is refused)',
      writes: [{ type: 'mem.map', pgd: 'hyp', va: l.idmapVa, pa: l.initPa, what: 'idmap' }],
    };
  } else if (d.pgds === 'single') {
    return {
      state: 'mmu-init',
      event: 'KVM_MMU_INIT',
      cite:
        'v3.9 arch/arm/mm/idmap.c init_static_idmap_hyp (early_initcall): hyp_pgd = kzalloc(...); identity_mapping_add(hyp_pgd, ' +
        '__hyp_idmap_text_start, ...); arch/arm/kvm/mmu.c kvm_mmu_init checks it',
      writes: [{ type: 'mem.map', pgd: 'hyp', va: l.idmapVa, pa: l.initPa, what: 'idmap' }],
    };
  } else {
    return {
      state: 'mmu-init',
      event: 'KVM_MMU_INIT',
      cite: 'v3.10 arch/arm/kvm/mmu.c kvm_mmu_init: __create_hyp_mappings(boot_hyp_pgd, hyp_idmap_start ...), and TRAMPOLINE_VA in boot_hyp_pgd and hyp_pgd',
      writes: splitMmuWrites(d, l),
    };
  }
}

export function kernelSteps(d: Design, l: Layout, b: KernelBounds): KernelStep[] {
  if (d.pgds === 'pkvm') return pkvmKernelSteps(d, l, b);
  if (d.kvmCore) return kvmCoreSteps(d, l, b);
  const steps: KernelStep[] = [];
  const runtime = runtimeWrites(l, b.cpus, 'hyp');
  const createMappings: KernelStep = {
    state: 'create-hyp-mappings',
    event: 'CREATE_HYP_MAPPINGS',
    cite:
      `${d.pgds === 'single' ? 'v3.9' : d.pgds === 'merged' ? 'v4.8' : 'v3.10'} arch/arm/kvm/arm.c init_hyp_mode: ` +
      `create_hyp_mappings(__kvm_hyp_code_start, ...), the per-CPU stack pages and host state`,
    writes: runtime,
  };
  if (d.hotplugSafeRegistration)
    steps.push({
      state: 'notifier-register-begin',
      event: 'CPU_NOTIFIER_REGISTER_BEGIN',
      cite: 'v3.15 arch/arm/kvm/arm.c kvm_arch_init: cpu_notifier_register_begin()',
      writes: [flag('hotplugLock', true)],
    });
  steps.push(mmuInitStep(d, l));
  if (d.mapRuntimeBeforeInit) steps.push(createMappings);
  if (d.initOrder === 'concurrent')
    steps.push({
      state: 'on-each-cpu',
      event: 'ON_EACH_CPU',
      cite:
        d.hypReset === 'none'
          ? 'v3.10 arch/arm/kvm/arm.c init_hyp_mode: on_each_cpu(cpu_init_hyp_mode, NULL, 1)'
          : `${d.kernel} arch/arm/kvm/arm.c init_subsystems: on_each_cpu(_kvm_arch_hardware_enable, NULL, 1) → cpu_hyp_reinit → cpu_init_hyp_mode`,
      writes: [],
      ipi: 'each',
    });
  else
    steps.push({
      state: 'smp-call-function-single',
      event: 'SMP_CALL_FUNCTION_SINGLE',
      cite: 'v3.9 arch/arm/kvm/arm.c init_hyp_mode: for_each_online_cpu(cpu) smp_call_function_single(cpu, cpu_init_hyp_mode, ..., 1)',
      writes: [],
      ipi: 'one',
    });
  if (d.clearIdmap)
    steps.push({
      state: 'clear-hyp-idmap',
      event: 'KVM_CLEAR_HYP_IDMAP',
      cite: 'v3.9 arch/arm/kvm/mmu.c kvm_clear_hyp_idmap: pud_clear; clean_pmd_entry (a D-cache clean, no TLBIALLH); pmd_free',
      writes: [{ type: 'mem.unmap', pgd: 'hyp', va: l.idmapVa, what: 'idmap' }],
    });
  if (!d.mapRuntimeBeforeInit) steps.push(createMappings);
  const free = d.pgds === 'split' && (d.freeBootPgd === 'always' || (d.freeBootPgd === 'without-hotplug' && !configHotplugCpu(d, b.hotplug)));
  if (free) steps.push(freeBootPgdStep(l));
  if (d.cpuNotifier) steps.push({ state: 'register-cpu-notifier', event: 'REGISTER_CPU_NOTIFIER', cite: notifierCite(d), writes: [flag('notifier', true)] });
  if (d.hotplugSafeRegistration)
    steps.push({
      state: 'notifier-register-done',
      event: 'CPU_NOTIFIER_REGISTER_DONE',
      cite: 'v3.15 arch/arm/kvm/arm.c kvm_arch_init: cpu_notifier_register_done()',
      writes: [flag('hotplugLock', false)],
    });
  if (d.cpuPmNotifier)
    steps.push({
      state: 'hyp-cpu-pm-init',
      event: 'HYP_CPU_PM_INIT',
      cite: 'v3.14 (1fcf7ce0c602, commit id unverified) arch/arm/kvm/arm.c kvm_arch_init: hyp_cpu_pm_init() → cpu_pm_register_notifier(&hyp_init_cpu_pm_nb)',
      writes: [flag('pmNotifier', true)],
    });
  steps.push({
    state: 'kvm-up',
    event: 'KVM_UP',
    cite: `${d.kernel} virt/kvm/kvm_main.c kvm_init: kvm_arch_init() returned 0, /dev/kvm registered`,
    writes: [flag('kvmUp', true)],
  });
  return steps;
}
