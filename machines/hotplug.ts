/**
 * The hotplug controller: takes CPUs down (at most K times in a run) and brings offline CPUs back.
 * Which CPU may go when is decided by the wiring (actors/hyp-system.ts) from what the kernel allows;
 * the CPU_DOWN / CPU_UP it sends are synchronous, like stop_machine and __cpu_up.
 */
import { assign, createMachine, emit, type AnyStateMachine } from 'xstate';

export interface HotplugContext {
  readonly downs: number;
}

type Args = { context: HotplugContext; event: { type: string; cpu: number } };

export function createHotplugMachine(bound: number): AnyStateMachine {
  return createMachine({
    id: 'hotplug',
    context: { downs: 0 } satisfies HotplugContext,
    initial: 'idle',
    states: {
      idle: {
        on: {
          // kernel/cpu.c cpu_down → _cpu_down → __stop_machine(take_cpu_down) → __cpu_die
          DOWN: {
            guard: ({ context }: Args) => context.downs < bound,
            actions: [assign(({ context }: Args) => ({ downs: context.downs + 1 })), emit(({ event }: Args) => ({ type: 'bus.send', to: `cpu${event.cpu}`, event: { type: 'CPU_DOWN' }, sync: true }))],
          },
          // kernel/cpu.c cpu_up → _cpu_up → __cpu_up: the CPU boots and runs notify_cpu_starting
          UP: { actions: emit(({ event }: Args) => ({ type: 'bus.send', to: `cpu${event.cpu}`, event: { type: 'CPU_UP' }, sync: true })) },
        },
      },
    },
  } as never);
}
