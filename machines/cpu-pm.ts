/**
 * CPU PM: a CPU entering a deep idle state (cpu_pm_enter) loses its HYP state like a hotplugged one, but
 * stays online; on cpu_pm_exit the CPU PM notifier chain runs (v3.14 hyp_init_cpu_pm_notifier). At most K
 * entries in a run. The wiring (actors/hyp-system.ts) decides which CPU may idle when.
 */
import { assign, createMachine, emit, type AnyStateMachine } from 'xstate';

export interface CpuPmContext {
  readonly entries: number;
}

type Args = { context: CpuPmContext; event: { type: string; cpu: number } };

export function createCpuPmMachine(bound: number): AnyStateMachine {
  return createMachine({
    id: 'cpupm',
    context: { entries: 0 } satisfies CpuPmContext,
    initial: 'idle',
    states: {
      idle: {
        on: {
          // kernel/cpu_pm.c cpu_pm_enter → CPU_PM_ENTER notifiers, then the CPU powers down its core
          ENTER: {
            guard: ({ context }: Args) => context.entries < bound,
            actions: [assign(({ context }: Args) => ({ entries: context.entries + 1 })), emit(({ event }: Args) => ({ type: 'bus.send', to: `cpu${event.cpu}`, event: { type: 'CPU_PM_ENTER' }, sync: true }))],
          },
          // kernel/cpu_pm.c cpu_pm_exit → CPU_PM_EXIT notifiers, on the waking CPU
          EXIT: { actions: emit(({ event }: Args) => ({ type: 'bus.send', to: `cpu${event.cpu}`, event: { type: 'CPU_PM_EXIT' }, sync: true })) },
        },
      },
    },
  } as never);
}
