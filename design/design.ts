/**
 * A design is a set of knobs: the presets (the kernel's versions) and the mutants (one knob undone)
 * are values of this type, and the machines are built from it, never copied per design.
 */
import { InputError } from '../util/errors';

export interface Design {
  readonly name: string;
  readonly description: string;
  /** Kernel version (or commit) the design stands for. */
  readonly kernel: string;
  /**
   * 'single': one HYP pgd, idmap torn down after init (v3.9); 'split': boot + runtime pgds joined by a
   * trampoline page (v3.10); 'merged': one pgd holding the idmap and the runtime mappings, at HYP VAs that
   * never collide with the idmap (arm64 v4.8); 'pkvm': the host's merged pgd, then the tables EL2 builds for
   * itself (__pkvm_init), switched to through the idmap (arm64 nVHE v5.13+).
   */
  readonly pgds: 'single' | 'split' | 'merged' | 'pkvm';
  /** How init_hyp_mode runs cpu_init_hyp_mode: one CPU at a time (v3.9 smp_call_function_single) or on_each_cpu (v3.10). */
  readonly initOrder: 'sequential' | 'concurrent';
  /** create_hyp_mappings of text, stacks and host context before the CPUs init (v3.10) or after (v3.9). */
  readonly mapRuntimeBeforeInit: boolean;
  /** v3.9 kvm_clear_hyp_idmap after init: unmap the idmap from the single pgd (no TLBI). */
  readonly clearIdmap: boolean;
  /** kvm_mmu_init maps the init page at the trampoline VA in the boot pgd. */
  readonly bootTrampoline: boolean;
  /** kvm_mmu_init maps the init page at the trampoline VA in the runtime pgd. */
  readonly runtimeTrampoline: boolean;
  /** Where phase 2 invalidates the HYP TLB: after the HTTBR switch (v3.10), before it, or not at all. */
  readonly tlbi: 'after-switch' | 'before-switch' | 'none';
  /** free_boot_hyp_pgd: '#ifndef CONFIG_HOTPLUG_CPU' (v3.10), 'always', or 'never'. */
  readonly freeBootPgd: 'without-hotplug' | 'always' | 'never';
  /**
   * CONFIG_HOTPLUG_CPU: 'y' or 'n' as built, or 'auto' (y exactly when the run allows CPU-down operations,
   * K ≥ 1). It decides `#ifndef CONFIG_HOTPLUG_CPU free_boot_hyp_pgd()`; 'n' refuses K ≥ 1.
   */
  readonly hotplugCpu: 'auto' | 'y' | 'n';
  /** register_cpu_notifier(&hyp_init_cpu_nb): a CPU coming online runs cpu_init_hyp_mode at CPU_STARTING. */
  readonly cpuNotifier: boolean;
  /** v3.15: cpu_notifier_register_begin/done around init and registration, so hotplug waits. */
  readonly hotplugSafeRegistration: boolean;
  /** v3.14 hyp_init_cpu_pm_notifier: on CPU_PM_EXIT, re-run HYP init if HVBAR is back to the stub's. */
  readonly cpuPmNotifier: boolean;
  /**
   * HYP teardown before a CPU goes down or into deep idle (kvm_arch_hardware_disable → cpu_hyp_reset):
   * 'trampoline' (v4.7 __kvm_hyp_reset: back to the boot pgd through the trampoline, TLBI, idmap, MMU off),
   * 'idmap' (v4.8: jump to the idmap alias, MMU off, stub vectors), or none.
   */
  readonly hypReset: 'none' | 'trampoline' | 'idmap';
  /** The v4.7 teardown's TLBI after switching back to the boot pgd ("ensure the PA branch doesn't find a stale tlb entry"). */
  readonly resetTlbi: boolean;
  /** v4.7+ "Invalidate the stale TLBs from Bootloader": tlbi alle2 before the MMU is turned on. */
  readonly bootTlbi: boolean;
  /**
   * arm64 kern_hyp_va: 'high' keeps the top half of the VA_BITS space (v3.11–v4.7,
   * HYP_PAGE_OFFSET_MASK); 'auto' takes the half that does not hold the idmap (v4.8 hyp_offset_low,
   * HYP_PAGE_OFFSET_LOW_MASK). Decides the HYP VAs of the arm64 layouts.
   */
  readonly hypVaMask: 'high' | 'auto';
  /**
   * v4.7+ (MODEL.md Corrections): KVM core owns HYP. init_hyp_mode ends with free_boot_hyp_pgd, init_subsystems
   * brings HYP up on every CPU (on_each_cpu(_kvm_arch_hardware_enable)) and tears it down again
   * (_kvm_arch_hardware_disable); CPUs sit on the stub until a VM exists (hardware_enable_all), and a CPU
   * coming online gets HYP from kvm_cpu_hotplug only while one does. Liveness: while a VM exists, every
   * online CPU has HYP up.
   */
  readonly kvmCore: boolean;
  /** pKVM: recreate_hyp_mappings maps the idmap into the new tables (hyp_create_idmap), so `ret` after the MMU comes back on can be fetched. */
  readonly pkvmIdmap: boolean;
  /** pKVM: __pkvm_init_switch_pgd turns the MMU off before installing the new TTBR0_EL2 and on again after. */
  readonly pkvmMmuOff: boolean;
  /** Layout used when none is given. */
  readonly defaultLayout?: string;
}

export type Knob = Exclude<keyof Design, 'name' | 'description' | 'kernel' | 'defaultLayout'>;

export const knobDocs: Readonly<Record<Knob, { values: string; meaning: string }>> = {
  pgds: {
    values: 'single | split | merged | pkvm',
    meaning: "one HYP pgd (v3.9), boot + runtime pgds with a trampoline (v3.10), one merged pgd (v4.8), or pKVM's own (v5.13)",
  },
  initOrder: { values: 'sequential | concurrent', meaning: 'smp_call_function_single per CPU (v3.9) or on_each_cpu (v3.10)' },
  mapRuntimeBeforeInit: { values: 'true | false', meaning: 'create_hyp_mappings before the CPUs init (v3.10) or after (v3.9)' },
  clearIdmap: { values: 'true | false', meaning: 'kvm_clear_hyp_idmap unmaps the idmap after init, without TLBI (v3.9)' },
  bootTrampoline: { values: 'true | false', meaning: 'the init page is mapped at the trampoline VA in the boot pgd' },
  runtimeTrampoline: { values: 'true | false', meaning: 'the init page is mapped at the trampoline VA in the runtime pgd' },
  tlbi: { values: 'after-switch | before-switch | none', meaning: 'where phase 2 runs TLBIALLH relative to the HTTBR switch' },
  freeBootPgd: { values: 'without-hotplug | always | never', meaning: 'free_boot_hyp_pgd: only without CONFIG_HOTPLUG_CPU (v3.10), always, never' },
  hotplugCpu: {
    values: 'auto | y | n',
    meaning: 'CONFIG_HOTPLUG_CPU as built (auto: y when --hotplug ≥ 1); decides #ifndef CONFIG_HOTPLUG_CPU free_boot_hyp_pgd()',
  },
  cpuNotifier: { values: 'true | false', meaning: 'hyp_init_cpu_notify runs HYP init on a CPU coming online (CPU_STARTING)' },
  hotplugSafeRegistration: { values: 'true | false', meaning: 'cpu_notifier_register_begin/done around init (v3.15): hotplug waits' },
  cpuPmNotifier: { values: 'true | false', meaning: "hyp_init_cpu_pm_notifier (v3.14): re-init HYP on CPU_PM_EXIT if HVBAR is the stub's" },
  hypReset: { values: 'none | trampoline | idmap', meaning: 'HYP teardown before CPU down / deep idle: v4.7 __kvm_hyp_reset, v4.8 teardown, or none' },
  resetTlbi: { values: 'true | false', meaning: 'the v4.7 teardown invalidates the TLB after switching back to the boot pgd' },
  bootTlbi: { values: 'true | false', meaning: 'tlbi alle2 before HYP init turns the MMU on (v4.7+, stale bootloader entries)' },
  kvmCore: {
    values: 'true | false',
    meaning: 'v4.7+: KVM core enables HYP (all CPUs while a VM exists, kvm_cpu_hotplug), init_subsystems enables then disables it',
  },
  pkvmIdmap: { values: 'true | false', meaning: 'pKVM: __pkvm_init maps the idmap into the tables it builds (the switch returns through it)' },
  pkvmMmuOff: { values: 'true | false', meaning: 'pKVM: __pkvm_init_switch_pgd turns the MMU off around the TTBR0_EL2 switch' },
  hypVaMask: { values: 'high | auto', meaning: 'arm64 kern_hyp_va: top half of the VA space (v3.11-v4.7) or the half without the idmap (v4.8)' },
};

export const knobs = Object.keys(knobDocs) as Knob[];

const base = {
  kernel: 'v3.10',
  pgds: 'split',
  initOrder: 'concurrent',
  mapRuntimeBeforeInit: true,
  clearIdmap: false,
  bootTrampoline: true,
  runtimeTrampoline: true,
  tlbi: 'after-switch',
  freeBootPgd: 'without-hotplug',
  hotplugCpu: 'auto',
  cpuNotifier: true,
  hotplugSafeRegistration: false,
  cpuPmNotifier: false,
  hypReset: 'none',
  resetTlbi: true,
  bootTlbi: false,
  hypVaMask: 'high',
  kvmCore: false,
  pkvmIdmap: true,
  pkvmMmuOff: true,
} as const;

export const trampoline: Design = {
  ...base,
  name: 'trampoline',
  description: 'v3.10, the seed as merged: boot and runtime pgds, trampoline page, TLBIALLH in HYP, cpu notifier',
};

export const legacy: Design = {
  ...base,
  name: 'legacy',
  kernel: 'v3.9',
  description: 'v3.9: one HYP pgd, idmap torn down after init without TLBI, no cpu notifier',
  pgds: 'single',
  initOrder: 'sequential',
  mapRuntimeBeforeInit: false,
  clearIdmap: true,
  bootTrampoline: false,
  runtimeTrampoline: false,
  tlbi: 'none',
  freeBootPgd: 'never',
  cpuNotifier: false,
};

/**
 * The seed's hotplug bug (MODEL.md Corrections): v3.9 plus the naive fix, a cpu notifier calling
 * cpu_init_hyp_mode at CPU_STARTING. No kernel shipped it; it is what the seed explains cannot work: the CPU
 * that comes back enters __do_hyp_init at the idmap VA, "an idmap which is long gone" (kvm_clear_hyp_idmap).
 */
export const legacyHotplug: Design = {
  ...legacy,
  name: 'legacy-hotplug',
  kernel: 'v3.9+notifier',
  description: 'v3.9 plus a cpu notifier calling cpu_init_hyp_mode at CPU_STARTING: the returning CPU needs the idmap kvm_clear_hyp_idmap removed',
  cpuNotifier: true,
};

export const trampolineV315: Design = {
  ...base,
  name: 'trampoline-v3.15',
  kernel: 'v3.15',
  description: 'v3.15: init and notifier registration inside cpu_notifier_register_begin/done (hotplug waits); CPU PM re-init (v3.14)',
  hotplugSafeRegistration: true,
  cpuPmNotifier: true,
};

/** v4.7 (67f691976662 "arm64: kvm: allows kvm cpu hotplug", commit id unverified): HYP is torn down before a CPU goes down or idle. */
export const hypResetDesign: Design = {
  ...trampolineV315,
  name: 'hyp-reset',
  kernel: 'v4.7',
  description: 'v4.7: HYP teardown (__kvm_hyp_reset) before CPU down and deep idle, back through the trampoline to the idmap',
  hypReset: 'trampoline',
  bootTlbi: true,
  hotplugSafeRegistration: false,
  kvmCore: true,
};

/** v4.8 (3421e9d88d7a "arm64: KVM: Simplify HYP init/teardown", commit id unverified): one HYP pgd, HYP VAs away from the idmap. */
export const mergedIdmap: Design = {
  ...trampolineV315,
  name: 'merged-idmap',
  kernel: 'v4.8',
  description: 'v4.8 arm64: one HYP pgd with the idmap and the runtime mappings (kern_hyp_va keeps them apart), no trampoline',
  pgds: 'merged',
  bootTrampoline: false,
  runtimeTrampoline: false,
  tlbi: 'none',
  freeBootPgd: 'never',
  hypReset: 'idmap',
  resetTlbi: false,
  bootTlbi: true,
  hypVaMask: 'auto',
  hotplugSafeRegistration: false,
  kvmCore: true,
  defaultLayout: 'arm64-highmem',
};

/**
 * v4.0-v4.7 arm64 with the extended idmap (RAM above what VA_BITS < 48 maps): kvm_mmu_init merges boot and runtime
 * pgds into merged_hyp_pgd, so __do_hyp_init's "cmp x0, x1; b.eq merged" skips the trampoline (read in a v4.1 tree).
 */
export const extendedIdmap: Design = {
  ...trampolineV315,
  name: 'extended-idmap',
  kernel: 'v4.1',
  description: 'v4.0-v4.7 arm64 extended idmap: kvm_mmu_init merges the boot and runtime pgds, __do_hyp_init skips the trampoline (b.eq merged)',
  pgds: 'merged',
  bootTrampoline: false,
  runtimeTrampoline: false,
  tlbi: 'none',
  freeBootPgd: 'never',
  bootTlbi: true,
  hypVaMask: 'high',
  defaultLayout: 'arm64',
};

/**
 * Protected KVM (arm64 nVHE, v5.13+; arch/arm64/kvm/arm.c kvm_hyp_init_protection, nvhe/setup.c __pkvm_init,
 * nvhe/hyp-init.S __pkvm_init_switch_pgd): one CPU inits on the host-built pgd, builds EL2's own tables and
 * switches to them through the idmap (MMU off, TLBI, TTBR0_EL2, MMU on); the host frees its tables; then
 * init_subsystems brings every other CPU up concurrently, straight onto EL2's tables.
 */
export const pkvm: Design = {
  ...mergedIdmap,
  name: 'pkvm',
  kernel: 'v5.13',
  description:
    "v5.13+ protected KVM: __pkvm_init builds EL2's own tables and __pkvm_init_switch_pgd moves to them through the idmap " +
    '(MMU off, TLBI, TTBR0_EL2, MMU on)',
  pgds: 'pkvm',
  kvmCore: false,
  tlbi: 'after-switch',
  hotplugSafeRegistration: false,
  hypReset: 'none',
  defaultLayout: 'arm64',
};

function mutant(name: string, description: string, knobsUndone: Partial<Design>): Design {
  return { ...trampoline, ...knobsUndone, name, description };
}

/** The six mutants of MODEL.md: each flips one knob of `trampoline`. */
export const mutants: readonly Design[] = [
  mutant('no-tlbi', 'trampoline without TLBIALLH in phase 2', { tlbi: 'none' }),
  mutant('no-boot-trampoline', 'trampoline VA missing from the boot pgd', { bootTrampoline: false }),
  mutant('no-runtime-trampoline', 'trampoline VA missing from the runtime pgd', { runtimeTrampoline: false }),
  mutant('free-boot-pgd', 'boot pgd freed although hotplug is configured', { freeBootPgd: 'always' }),
  mutant('no-cpu-notifier', 'cpu notifier never registered', { cpuNotifier: false }),
  mutant('tlbi-before-switch', 'TLBIALLH done before HTTBR changes', { tlbi: 'before-switch' }),
];

/** Mutants of the later designs: one knob undone (not part of MODEL.md's table). */
export const laterMutants: readonly Design[] = [
  { ...hypResetDesign, name: 'hyp-reset-no-tlbi', description: 'hyp-reset without the TLBI after switching back to the boot pgd', resetTlbi: false },
  { ...pkvm, name: 'pkvm-no-tlbi', description: 'pkvm without the tlbi alle2 in __pkvm_init_switch_pgd', tlbi: 'none' },
  { ...pkvm, name: 'pkvm-mmu-on', description: 'pkvm switching TTBR0_EL2 with the MMU on (no MMU off/on around it)', pkvmMmuOff: false },
  { ...pkvm, name: 'pkvm-no-idmap', description: "pkvm whose new tables lack the idmap: the switch's ret after the MMU comes back on", pkvmIdmap: false },
  {
    ...trampolineV315,
    name: 'no-cpu-pm-notifier',
    description: 'trampoline-v3.15 without hyp_init_cpu_pm_notifier: a CPU back from deep idle has no HYP',
    cpuPmNotifier: false,
  },
];

export const presets: readonly Design[] = [legacy, legacyHotplug, trampoline, trampolineV315, hypResetDesign, extendedIdmap, mergedIdmap, pkvm];

export const allDesigns: readonly Design[] = [...presets, ...mutants, ...laterMutants];

export function findDesign(name: string): Design | undefined {
  return allDesigns.find((d) => d.name === name);
}

const enumKnobs: Partial<Record<Knob, readonly string[]>> = {
  pgds: ['single', 'split', 'merged', 'pkvm'],
  hypReset: ['none', 'trampoline', 'idmap'],
  hypVaMask: ['high', 'auto'],
  initOrder: ['sequential', 'concurrent'],
  tlbi: ['after-switch', 'before-switch', 'none'],
  freeBootPgd: ['without-hotplug', 'always', 'never'],
  hotplugCpu: ['auto', 'y', 'n'],
};

/** Whether the kernel is built with CONFIG_HOTPLUG_CPU, for a run allowing `downs` CPU-down operations. */
export function configHotplugCpu(d: Design, downs: number): boolean {
  return d.hotplugCpu === 'auto' ? downs > 0 : d.hotplugCpu === 'y';
}

/**
 * A design file: {"name", "description"?, "extends"?: preset, knobs...}. Unknown knobs, wrong types
 * and combinations no kernel can run are refused with one line naming the field and the value.
 */
export function parseDesign(json: unknown, fallbackName: string): Design {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InputError('design: the file must hold a JSON object');
  const o = json as Record<string, unknown>;
  const ext = o.extends ?? 'trampoline';
  const base = typeof ext === 'string' ? findDesign(ext) : undefined;
  if (!base) throw new InputError(`design: extends must name a preset or mutant (${allDesigns.map((d) => d.name).join(', ')}), got ${JSON.stringify(ext)}`);
  // A knob is set by name once it is checked against the knob lists below; Object.assign keeps Design's type.
  const design: Design = { ...base, name: fallbackName };
  for (const [k, v] of Object.entries(o)) {
    if (k === 'extends') continue;
    if (k === 'name' || k === 'description' || k === 'kernel' || k === 'defaultLayout') {
      if (typeof v !== 'string' || v === '') throw new InputError(`design: ${k} must be a non-empty string, got ${JSON.stringify(v)}`);
      Object.assign(design, { [k]: v });
      continue;
    }
    if (!(knobs as string[]).includes(k)) throw new InputError(`design: unknown knob "${k}" (knobs: ${knobs.join(', ')})`);
    const allowed = enumKnobs[k as Knob];
    if (allowed) {
      if (typeof v !== 'string' || !allowed.includes(v)) throw new InputError(`design: ${k} must be one of ${allowed.join(' | ')}, got ${JSON.stringify(v)}`);
    } else if (typeof v !== 'boolean') throw new InputError(`design: ${k} must be true or false, got ${JSON.stringify(v)}`);
    Object.assign(design, { [k]: v });
  }
  checkDesign(design);
  return design;
}

/** Combinations the step lists cannot express. */
export function checkDesign(d: Design): void {
  if (d.pgds === 'single' && (d.bootTrampoline || d.runtimeTrampoline))
    throw new InputError(`design: pgds "single" has no trampoline: bootTrampoline and runtimeTrampoline must be false`);
  if (d.pgds === 'single' && d.tlbi !== 'none') throw new InputError(`design: pgds "single" has no phase 2, so tlbi must be "none", got "${d.tlbi}"`);
  if (d.pgds !== 'single' && d.clearIdmap) throw new InputError(`design: clearIdmap is the single-pgd teardown; with pgds "${d.pgds}" it must be false`);
  if (d.pgds === 'pkvm' && (d.bootTrampoline || d.runtimeTrampoline || d.tlbi === 'before-switch' || d.hypReset !== 'none' || d.freeBootPgd !== 'never'))
    throw new InputError(
      'design: pgds "pkvm" has no trampoline, no boot pgd and no teardown: bootTrampoline, runtimeTrampoline false, ' +
        'tlbi "after-switch" or "none", hypReset "none", freeBootPgd "never"',
    );
  if (d.pgds !== 'pkvm' && (!d.pkvmIdmap || !d.pkvmMmuOff))
    throw new InputError('design: pkvmIdmap and pkvmMmuOff are pKVM knobs; with pgds other than "pkvm" they must stay true');
  if (d.pgds === 'merged' && (d.bootTrampoline || d.runtimeTrampoline || d.tlbi !== 'none'))
    throw new InputError('design: pgds "merged" has no trampoline and no phase 2: bootTrampoline, runtimeTrampoline must be false and tlbi "none"');
  if (d.kvmCore && (d.hypReset === 'none' || d.pgds === 'single' || d.pgds === 'pkvm' || d.hotplugSafeRegistration))
    throw new InputError(
      'design: kvmCore (v4.7+) disables HYP again after init, so it needs a hypReset teardown, pgds "split" or "merged", and no hotplugSafeRegistration',
    );
  if (d.hypReset === 'trampoline' && d.pgds !== 'split')
    throw new InputError(`design: hypReset "trampoline" goes back through the boot pgd, so pgds must be "split", got "${d.pgds}"`);
  if (d.hypReset !== 'none' && d.pgds === 'single') throw new InputError('design: hypReset needs the idmap after init, which pgds "single" tears down');
}
