/**
 * CPU PM: a CPU entering a deep idle state (kernel/cpu_pm.c cpu_pm_enter → CPU_PM_ENTER notifiers, then
 * the core powers down) loses its HYP state like a hotplugged one, but stays online; on cpu_pm_exit the
 * CPU PM notifier chain runs on the waking CPU (v3.14 hyp_init_cpu_pm_notifier). At most K entries.
 */
import type { AnyStateMachine } from 'xstate';
import { createCpuController } from './cpu-controller';

export interface CpuPmContext {
  readonly entries: number;
}

export function createCpuPmMachine(bound: number): AnyStateMachine {
  return createCpuController({ id: 'cpupm', counter: 'entries', bound, take: ['ENTER', 'CPU_PM_ENTER'], give: ['EXIT', 'CPU_PM_EXIT'] });
}
