/**
 * A bounded controller that takes CPUs away and gives them back (hotplug: down/up; CPU PM: idle
 * enter/exit): at most `bound` takes in a run, each a synchronous message to the CPU. Which CPU may go when
 * is decided by the wiring (actors/hyp-system.ts).
 */
import { assign, emit, setup, type AnyStateMachine } from 'xstate';
import type { SendEffect } from '../bus/spec';

export interface ControllerSpec {
  readonly id: string;
  /** Context field counting the takes (e.g. `downs`). */
  readonly counter: string;
  readonly bound: number;
  /** Controller event → event sent to the CPU, for taking and for giving back. */
  readonly take: readonly [string, string];
  readonly give: readonly [string, string];
}

/** What the wiring offers a controller: take or give back one CPU (the names come from the spec). */
export interface ControllerEvent {
  readonly type: string;
  readonly cpu: number;
}

type Counters = Record<string, number>;

export function createCpuController(s: ControllerSpec): AnyStateMachine {
  const m = setup({ types: {} as { context: Counters; events: ControllerEvent; emitted: SendEffect } });
  const message = (type: string, e: ControllerEvent): SendEffect => ({ type: 'bus.send', to: `cpu${e.cpu}`, event: { type }, sync: true });
  return m.createMachine({
    id: s.id,
    context: { [s.counter]: 0 },
    initial: 'idle',
    states: {
      idle: {
        on: {
          [s.take[0]]: {
            guard: ({ context }) => context[s.counter] < s.bound,
            actions: [assign(({ context }) => ({ [s.counter]: context[s.counter] + 1 })), emit(({ event }) => message(s.take[1], event))],
          },
          [s.give[0]]: { actions: emit(({ event }) => message(s.give[1], event)) },
        },
      },
    },
  });
}
