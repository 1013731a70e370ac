/**
 * The hotplug controller: takes CPUs down (at most K times in a run) and brings offline CPUs back.
 * DOWN is kernel/cpu.c cpu_down → _cpu_down → __stop_machine(take_cpu_down) → __cpu_die; UP is cpu_up →
 * _cpu_up → __cpu_up (the CPU boots and runs notify_cpu_starting). Both reach the CPU synchronously.
 */
import type { AnyStateMachine } from 'xstate';
import { createCpuController } from './cpu-controller';

export interface HotplugContext {
  readonly downs: number;
}

export function createHotplugMachine(bound: number): AnyStateMachine {
  return createCpuController({ id: 'hotplug', counter: 'downs', bound, take: ['DOWN', 'CPU_DOWN'], give: ['UP', 'CPU_UP'] });
}
