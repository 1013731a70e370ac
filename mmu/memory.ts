/**
 * Shared memory: the two HYP page tables and the few kernel globals the actors read (the notifier chain,
 * whether KVM is up, whether hotplug is held off). One value, changed only by emitted write effects.
 */
import { emptyPgd, freePgd, mapPage, pgdKey, unmapPage, type Pa, type Pgd, type Va } from './pgd';

export type PgdName = 'boot' | 'hyp' | 'pkvm';

export interface Memory {
  /** boot_hyp_pgd (v3.10): the idmap and the trampoline. */
  readonly boot: Pgd;
  /** hyp_pgd: the runtime page table (v3.9: the only one; pKVM: the host-built one, freed once EL2 owns its own). */
  readonly hyp: Pgd;
  /** pkvm_pgtable (v5.13+ nvhe/setup.c): the tables EL2 builds for itself in __pkvm_init. */
  readonly pkvm: Pgd;
  /** hyp_init_cpu_nb is on the CPU notifier chain. */
  readonly notifier: boolean;
  /** kvm_arch_init returned: VMs can be created, hotplug runs by default. */
  readonly kvmUp: boolean;
  /** The kernel is inside on_each_cpu / smp_call_function_single: preemption off, stop_machine (cpu_down) waits. */
  readonly ipiBusy: boolean;
  /** cpu_notifier_register_begin held (v3.15): hotplug waits. */
  readonly hotplugLock: boolean;
  /** hyp_init_cpu_pm_nb is on the CPU PM notifier chain (v3.14 hyp_cpu_pm_init). */
  readonly pmNotifier: boolean;
  /** v4.7+ KVM core: kvm_usage_count > 0, a VM exists, so HYP must be up on every online CPU. */
  readonly vmExists: boolean;
}

export type Flag = 'notifier' | 'kvmUp' | 'ipiBusy' | 'hotplugLock' | 'pmNotifier' | 'vmExists';

/** A write effect, emitted by the kernel and VM machines. */
export type MemWrite =
  | { readonly type: 'mem.map'; readonly pgd: PgdName; readonly va: Va; readonly pa: Pa; readonly what: string }
  | { readonly type: 'mem.unmap'; readonly pgd: PgdName; readonly va: Va; readonly what: string }
  | { readonly type: 'mem.free'; readonly pgd: PgdName }
  | { readonly type: 'mem.flag'; readonly flag: Flag; readonly value: boolean };

export const initialMemory: Memory = {
  boot: emptyPgd,
  hyp: emptyPgd,
  pkvm: emptyPgd,
  notifier: false,
  kvmUp: false,
  ipiBusy: false,
  hotplugLock: false,
  pmNotifier: false,
  vmExists: false,
};

export function applyWrite(m: Memory, w: MemWrite): Memory {
  switch (w.type) {
    case 'mem.map':
      return { ...m, [w.pgd]: mapPage(m[w.pgd], w.va, w.pa) };
    case 'mem.unmap':
      return { ...m, [w.pgd]: unmapPage(m[w.pgd], w.va) };
    case 'mem.free':
      return { ...m, [w.pgd]: freePgd(m[w.pgd]) };
    case 'mem.flag':
      return { ...m, [w.flag]: w.value };
  }
}

export function memoryKey(m: Memory): string {
  return `${pgdKey(m.boot)}|${pgdKey(m.hyp)}|${pgdKey(m.pkvm)}|${+m.notifier}${+m.kvmUp}${+m.ipiBusy}${+m.hotplugLock}${+m.pmNotifier}${+m.vmExists}`;
}

export const pgdNames: Readonly<Record<PgdName, string>> = { boot: 'boot_hyp_pgd', hyp: 'hyp_pgd', pkvm: 'pkvm_pgtable' };
