/**
 * What a HYP system is built from (design, layout, bounds) and the parts its builders share: the kernel's
 * step list, the tracked VAs and which actors are CPUs. Validation refuses a configuration no kernel runs.
 */
import type { Design } from '../design/design';
import { checkDesign } from '../design/design';
import type { KernelStep } from '../machines/kernel-steps';
import { checkLayout, runtimePages, type Layout } from '../mmu/layout';
import type { PgdName } from '../mmu/memory';
import { hex } from '../mmu/pgd';
import { InputError } from '../util/errors';

export interface HypConfig {
  readonly design: Design;
  readonly layout: Layout;
  readonly cpus: number;
  /** At most this many CPU-down operations in a run (K). */
  readonly hotplug: number;
  readonly vms: number;
  /** Hotplug may act from boot, while kvm_arch_init runs (default: once KVM is up). */
  readonly hotplugFromBoot: boolean;
  /** Which VAs' TLB entries are modelled (mmu/volatile.ts). */
  readonly tlbScope: 'volatile' | 'all';
  /** At most this many deep-idle entries (CPU PM) in a run. */
  readonly cpuPm?: number;
}

/** What the offer and independence builders share about one built system. */
export interface HypParts {
  readonly config: HypConfig;
  /** The pgd the runtime (and VMs) map into: the HYP pgd, or pKVM's own. */
  readonly rtPgd: PgdName;
  readonly ksteps: readonly KernelStep[];
  readonly tracked: ReadonlySet<number>;
  /** Actor indices of the CPUs, in CPU order. */
  readonly cpuActors: readonly number[];
}

export const limits = { cpus: 64, hotplug: 16, vms: 8, cpuPm: 16 };

export function checkBounds(cpus: number, hotplug: number, vms: number, cpuPm = 0): void {
  const int = (v: number, name: string, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new InputError(`${name} must be an integer from ${min} to ${max}, got ${v}`);
  };
  int(cpus, '--cpus', 1, limits.cpus);
  int(hotplug, '--hotplug', 0, limits.hotplug);
  int(vms, '--vms', 0, limits.vms);
  int(cpuPm, '--cpu-pm', 0, limits.cpuPm);
}

/** The CPU number of a CPU actor ('cpu3' → 3). */
export function cpuIndex(id: string): number {
  return Number(id.slice(3));
}

/** Refuse, with one line naming the problem, a configuration the kernel would not run. */
export function validateHypConfig(config: HypConfig): void {
  const { design, layout, cpus, hotplug, vms } = config;
  checkBounds(cpus, hotplug, vms, config.cpuPm ?? 0);
  checkDesign(design);
  checkLayout(layout);
  if (design.hotplugCpu === 'n' && hotplug > 0)
    throw new InputError(`design ${design.name} is built without CONFIG_HOTPLUG_CPU (hotplugCpu "n"): --hotplug must be 0, got ${hotplug}`);
  if (design.pgds === 'merged' || design.pgds === 'pkvm') {
    // v4.8 arch/arm/kvm/mmu.c kvm_mmu_init: "IDMAP intersecting with HYP VA, unable to continue".
    const clash = runtimePages(layout).find((p) => p.ref.va === layout.idmapVa && (p.cpu === undefined || p.cpu < cpus) && (p.vm === undefined || p.vm < vms));
    if (clash)
      throw new InputError(
        `design ${design.name} on layout ${layout.name}: the idmap VA ${hex(layout.idmapVa)} is also the HYP VA of ${clash.name}; with one HYP pgd ` +
          `kvm_mmu_init refuses this ("IDMAP intersecting with HYP VA")`,
      );
  }
  if (layout.stacks.length < cpus || layout.hostCtx.length < cpus) throw new InputError(`layout ${layout.name} has pages for fewer than ${cpus} CPUs`);
  if (layout.vms.length < vms) throw new InputError(`layout ${layout.name} has pages for fewer than ${vms} VMs`);
}
