/**
 * The kernel statechart: builds and frees the HYP page tables, sends the CPUs into init and waits for
 * them, registers the cpu notifier, then KVM is up. One state per step of machines/kernel-steps.ts.
 */
import { assign, createMachine, enqueueActions, type AnyStateMachine } from 'xstate';
import type { BusEvent } from '../bus/spec';
import type { KernelStep } from './kernel-steps';

export interface KernelContext {
  /** on_each_cpu: CPUs sent INIT whose cpu_init_hyp_mode has not returned yet (a count keeps CPUs interchangeable). */
  readonly waiting: number;
  /** v3.9 loop: CPUs already called, in for_each_online_cpu order. */
  readonly called: readonly number[];
}

export interface KernelEvent {
  readonly type: string;
  /** cpu_online_mask, read at the step (enriched by the wiring). */
  readonly online?: readonly number[];
}

type Args = { context: KernelContext; event: KernelEvent };

const send = (cpu: number): BusEvent => ({ type: 'bus.send', to: `cpu${cpu}`, event: { type: 'INIT' } });
const busy = (value: boolean): BusEvent => ({ type: 'mem.flag', flag: 'ipiBusy', value });

export function createKernelMachine(steps: readonly KernelStep[]): AnyStateMachine {
  const states: Record<string, unknown> = {};
  steps.forEach((s, i) => {
    const next = i + 1 < steps.length ? steps[i + 1].state : 'up';
    const meta = { step: s.event, cite: s.cite };
    if (s.ipi === 'each') {
      states[s.state] = {
        meta,
        on: {
          [s.event]: {
            target: 'wait-cpus',
            actions: [
              assign(({ event }: Args) => ({ waiting: event.online!.length })),
              enqueueActions(({ event, enqueue }: { event: KernelEvent; enqueue: { emit: (e: BusEvent) => void } }) => {
                enqueue.emit(busy(true));
                for (const c of event.online!) enqueue.emit(send(c));
              }),
            ],
          },
        },
      };
      // on_each_cpu(..., wait = 1): returns when every CPU it sent has run the function.
      states['wait-cpus'] = {
        always: { guard: ({ context }: Args) => context.waiting === 0, target: next, actions: enqueueActions(({ enqueue }: { enqueue: { emit: (e: BusEvent) => void } }) => enqueue.emit(busy(false))) },
        on: { DONE: { actions: assign(({ context }: Args) => ({ waiting: context.waiting - 1 })) } },
      };
    } else if (s.ipi === 'first') {
      // The calling CPU runs it itself, preemption off (do_pkvm_init): modelled as the first online CPU, waited for.
      states[s.state] = {
        meta,
        on: {
          [s.event]: {
            target: 'wait-pkvm',
            actions: enqueueActions(({ event, enqueue }: { event: KernelEvent; enqueue: { emit: (e: BusEvent) => void } }) => {
              s.writes.forEach((w) => enqueue.emit(w as BusEvent));
              enqueue.emit(busy(true));
              enqueue.emit({ type: 'bus.send', to: `cpu${event.online![0]}`, event: { type: 'PKVM_INIT' } });
            }),
          },
        },
      };
      states['wait-pkvm'] = { on: { DONE: { target: next, actions: enqueueActions(({ enqueue }: { enqueue: { emit: (e: BusEvent) => void } }) => enqueue.emit(busy(false))) } } };
    } else if (s.ipi === 'one') {
      const nextCpu = ({ context, event }: Args) => event.online!.find((c) => !context.called.includes(c));
      states[s.state] = {
        meta,
        on: {
          [s.event]: [
            {
              guard: (a: Args) => nextCpu(a) !== undefined,
              target: 'wait-cpu',
              actions: [
                enqueueActions(({ context, event, enqueue }: Args & { enqueue: { emit: (e: BusEvent) => void } }) => {
                  enqueue.emit(busy(true));
                  enqueue.emit(send(nextCpu({ context, event })!));
                }),
                assign(({ context, event }: Args) => ({ called: [...context.called, nextCpu({ context, event })!] })),
              ],
            },
            { target: next },
          ],
        },
      };
      // smp_call_function_single(..., wait = 1): back to the loop when the CPU has run it.
      states['wait-cpu'] = { on: { DONE: { target: s.state, actions: enqueueActions(({ enqueue }: { enqueue: { emit: (e: BusEvent) => void } }) => enqueue.emit(busy(false))) } } };
    } else {
      states[s.state] = {
        meta,
        on: { [s.event]: { target: next, actions: enqueueActions(({ enqueue }: { enqueue: { emit: (e: BusEvent) => void } }) => s.writes.forEach((w) => enqueue.emit(w as BusEvent))) } },
      };
    }
  });
  states.up = {};
  return createMachine({
    id: 'kernel',
    context: { waiting: 0, called: [] } satisfies KernelContext,
    initial: steps[0].state,
    states,
  } as never);
}
