/**
 * The kernel statechart: builds and frees the HYP page tables, sends the CPUs into init and waits for
 * them, registers the cpu notifier, then KVM is up. One state per step of machines/kernel-steps.ts.
 */
import { assign, enqueueActions, setup, type AnyStateMachine } from 'xstate';
import type { BusEvent, SendEffect } from '../bus/spec';
import type { KernelStep } from './kernel-steps';

export interface KernelContext {
  /** on_each_cpu: CPUs sent INIT whose cpu_init_hyp_mode has not returned yet (a count keeps CPUs interchangeable). */
  readonly waiting: number;
  /** v3.9 loop: CPUs already called, in for_each_online_cpu order. */
  readonly called: readonly number[];
}

/** A CPU telling the kernel its init returned (csd completion). */
export interface DoneEvent {
  readonly type: 'DONE';
}

/** A kernel step; the steps that send IPIs carry cpu_online_mask as read at the step (enriched by the wiring). */
export interface KernelStepEvent {
  readonly type: string;
  readonly online?: readonly number[];
}

export type KernelEvent = DoneEvent | KernelStepEvent;

const send = (cpu: number, type = 'INIT'): SendEffect => ({ type: 'bus.send', to: `cpu${cpu}`, event: { type } });
const busy = (value: boolean): BusEvent => ({ type: 'mem.flag', flag: 'ipiBusy', value });
const onlineOf = (e: KernelEvent): readonly number[] => ('online' in e && e.online) || [];

const kernelSetup = setup({ types: {} as { context: KernelContext; events: KernelEvent; emitted: BusEvent } });
type KernelStates = NonNullable<Parameters<typeof kernelSetup.createMachine>[0]['states']>;

/**
 * The state in which the kernel waits after step `s` sent its IPI, or null if it sends none: an 'each' step's own
 * ('wait-cpus' for the first), the v3.9 loop's 'wait-cpu', do_pkvm_init's 'wait-pkvm'. The kernel only counts DONEs there.
 */
export function waitStateOf(steps: readonly KernelStep[], s: KernelStep): string | null {
  if (s.ipi === 'each') return steps.find((k) => k.ipi === 'each') === s ? 'wait-cpus' : `wait-cpus-${s.state}`;
  if (s.ipi === 'one') return 'wait-cpu';
  if (s.ipi === 'first') return 'wait-pkvm';
  return null;
}

/** on_each_cpu(..., wait = 1): INIT (or HYP_RESET) to every online CPU, then wait until each has run the function. */
function eachCpu(states: KernelStates, s: KernelStep, next: string, wait: string): void {
  states[s.state] = {
    meta: { step: s.event, cite: s.cite },
    on: {
      [s.event]: {
        target: wait,
        actions: [
          assign(({ event }) => ({ waiting: onlineOf(event).length })),
          enqueueActions(({ event, enqueue }) => {
            enqueue.emit(busy(true));
            for (const c of onlineOf(event)) enqueue.emit(send(c, s.message ?? 'INIT'));
          }),
        ],
      },
    },
  };
  states[wait] = {
    always: { guard: ({ context }) => context.waiting === 0, target: next, actions: enqueueActions(({ enqueue }) => enqueue.emit(busy(false))) },
    on: { DONE: { actions: assign(({ context }) => ({ waiting: context.waiting - 1 })) } },
  };
}

/** The calling CPU runs it itself, preemption off (do_pkvm_init): modelled as the first online CPU, waited for. */
function firstCpu(states: KernelStates, s: KernelStep, next: string, wait: string): void {
  states[s.state] = {
    meta: { step: s.event, cite: s.cite },
    on: {
      [s.event]: {
        target: wait,
        actions: enqueueActions(({ event, enqueue }) => {
          for (const w of s.writes) enqueue.emit(w);
          enqueue.emit(busy(true));
          enqueue.emit(send(onlineOf(event)[0], 'PKVM_INIT'));
        }),
      },
    },
  };
  states[wait] = { on: { DONE: { target: next, actions: enqueueActions(({ enqueue }) => enqueue.emit(busy(false))) } } };
}

/** The v3.9 loop: smp_call_function_single(cpu, ..., wait = 1) for each online CPU in turn. */
function oneCpu(states: KernelStates, s: KernelStep, next: string, wait: string): void {
  const nextCpu = (context: KernelContext, event: KernelEvent) => onlineOf(event).find((c) => !context.called.includes(c));
  states[s.state] = {
    meta: { step: s.event, cite: s.cite },
    on: {
      [s.event]: [
        {
          guard: ({ context, event }) => nextCpu(context, event) !== undefined,
          target: wait,
          actions: [
            enqueueActions(({ context, event, enqueue }) => {
              enqueue.emit(busy(true));
              enqueue.emit(send(nextCpu(context, event) ?? -1));
            }),
            assign(({ context, event }) => ({ called: [...context.called, nextCpu(context, event) ?? -1] })),
          ],
        },
        { target: next },
      ],
    },
  };
  // Back to the loop when the CPU has run it.
  states[wait] = { on: { DONE: { target: s.state, actions: enqueueActions(({ enqueue }) => enqueue.emit(busy(false))) } } };
}

export function createKernelMachine(steps: readonly KernelStep[]): AnyStateMachine {
  const states: KernelStates = {};
  steps.forEach((s, i) => {
    const next = i + 1 < steps.length ? steps[i + 1].state : 'up';
    const wait = waitStateOf(steps, s);
    if (s.ipi === 'each' && wait) eachCpu(states, s, next, wait);
    else if (s.ipi === 'first' && wait) firstCpu(states, s, next, wait);
    else if (s.ipi === 'one' && wait) oneCpu(states, s, next, wait);
    else
      states[s.state] = {
        meta: { step: s.event, cite: s.cite },
        on: {
          [s.event]: {
            target: next,
            actions: enqueueActions(({ enqueue }) => {
              for (const w of s.writes) enqueue.emit(w);
            }),
          },
        },
      };
  });
  states.up = {};
  return kernelSetup.createMachine({ id: 'kernel', context: { waiting: 0, called: [] }, initial: steps[0].state, states });
}
