/**
 * A bounded controller that takes CPUs away and gives them back (hotplug: down/up; CPU PM: idle
 * enter/exit): at most `bound` takes in a run, each a synchronous message to the CPU. Which CPU may go when
 * is decided by the wiring (actors/hyp-system.ts).
 */
import { assign, createMachine, emit, type AnyStateMachine } from 'xstate';

export interface ControllerSpec {
  readonly id: string;
  /** Context field counting the takes (e.g. `downs`). */
  readonly counter: string;
  readonly bound: number;
  /** Controller event → event sent to the CPU, for taking and for giving back. */
  readonly take: readonly [string, string];
  readonly give: readonly [string, string];
}

type Args = { context: Record<string, number>; event: { type: string; cpu: number } };

export function createCpuController(s: ControllerSpec): AnyStateMachine {
  const send = (type: string) => emit(({ event }: Args) => ({ type: 'bus.send', to: `cpu${event.cpu}`, event: { type }, sync: true }));
  return createMachine({
    id: s.id,
    context: { [s.counter]: 0 },
    initial: 'idle',
    states: {
      idle: {
        on: {
          [s.take[0]]: { guard: ({ context }: Args) => context[s.counter] < s.bound, actions: [assign(({ context }: Args) => ({ [s.counter]: context[s.counter] + 1 })), send(s.take[1])] },
          [s.give[0]]: { actions: send(s.give[1]) },
        },
      },
    },
  } as never);
}
