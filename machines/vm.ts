/** A VM: once KVM is up, creating it maps its struct kvm page into the runtime pgd. */
import { emit, setup, type AnyStateMachine } from 'xstate';
import type { PageRef } from '../mmu/layout';
import type { MemWrite, PgdName } from '../mmu/memory';

/** The one event a VM takes: userspace's KVM_CREATE_VM. */
export type VmEvent = { readonly type: 'CREATE_VM' };

/** `pgd`: where the VM's page is mapped: hyp_pgd, or under pKVM the tables EL2 owns (a hypercall does it). */
/** `kvmCore`: v4.7+, creating a VM raises kvm_usage_count, so KVM core must bring HYP up everywhere. */
export function createVmMachine(vm: number, page: PageRef, pgd: PgdName = 'hyp', kvmCore = false): AnyStateMachine {
  const cite =
    pgd === 'pkvm'
      ? 'v5.13 arch/arm64/kvm/mmu.c create_hyp_mappings: kvm_call_hyp_nvhe(__pkvm_create_mappings, ...) once protected'
      : 'v3.10 arch/arm/kvm/arm.c kvm_arch_init_vm: create_hyp_mappings(kvm, kvm + 1)';
  const map: MemWrite = { type: 'mem.map', pgd, va: page.va, pa: page.pa, what: `vm${vm} struct` };
  return setup({ types: {} as { events: VmEvent; emitted: MemWrite } }).createMachine({
    id: `vm${vm}`,
    initial: 'idle',
    states: {
      idle: {
        meta: { step: 'CREATE_VM', cite },
        on: { CREATE_VM: { target: 'created', actions: kvmCore ? [emit(map), emit({ type: 'mem.flag', flag: 'vmExists', value: true })] : emit(map) } },
      },
      created: {},
    },
  });
}
