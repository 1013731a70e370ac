/** A VM: once KVM is up, creating it maps its struct kvm page into the runtime pgd. */
import { createMachine, emit, type AnyStateMachine } from 'xstate';
import type { PageRef } from '../mmu/layout';

export function createVmMachine(vm: number, page: PageRef): AnyStateMachine {
  return createMachine({
    id: `vm${vm}`,
    initial: 'idle',
    states: {
      idle: {
        meta: { step: 'CREATE_VM', cite: 'v3.10 arch/arm/kvm/arm.c kvm_arch_init_vm: create_hyp_mappings(kvm, kvm + 1)' },
        on: { CREATE_VM: { target: 'created', actions: emit({ type: 'mem.map', pgd: 'hyp', va: page.va, pa: page.pa, what: `vm${vm} struct` }) } },
      },
      created: {},
    },
  } as never);
}
