/**
 * The CPU statechart: off → boot-pgd → trampoline → runtime → off (v3.10), off → idmap → runtime (v3.9,
 * v4.8), runtime → teardown → off (v4.7+), plus fault. Steps come from machines/cpu-steps.ts in the
 * kernel's order. The statechart does the TLB and checks each fetch and access against the page the step
 * expects; what it reads of shared memory (a walk of the table in HTTBR) arrives in the event, so every
 * transition is pure.
 */
import { assign, emit, setup, type AnyStateMachine } from 'xstate';
import type { SendEffect } from '../bus/spec';
import type { Design } from '../design/design';
import type { Layout } from '../mmu/layout';
import type { Walk } from '../mmu/pgd';
import { fill } from '../mmu/tlb';
import { translate } from '../mmu/translate';
import { resetContext, type CpuContext, type Fault } from './cpu-context';
import { initPhases, teardownSteps, type InitStep } from './cpu-steps';
import { pkvmSwitchPhases } from './pkvm-steps';
import type { StepName } from './step-types';
import { InternalError } from '../util/errors';

/** A read of shared memory that a step or an access carries: the VA and what a walk of it gives now. */
export interface Fetched {
  readonly va: number;
  readonly walk: Walk;
}

/** Events a CPU takes: the kernel's and the controllers' messages, its own steps, and the walker. */
export type CpuEvent =
  | { readonly type: 'INIT' | 'PKVM_INIT' | 'HYP_RESET' | 'CPU_DOWN' | 'CPU_PM_ENTER' }
  /** CPU_UP / CPU_PM_EXIT: whether the HYP init notifier is registered when the CPU starts or wakes (enriched by the wiring). */
  | { readonly type: 'CPU_UP' | 'CPU_PM_EXIT'; readonly notifier?: boolean }
  /** A step of the CPU's own code; a step that fetches with the MMU on carries what it fetches. */
  | { readonly type: StepName }
  | ({ readonly type: StepName } & Fetched)
  | ({ readonly type: 'SPECULATE' } & Fetched)
  /** HYP at work: the PA the access expects, and the page's name. */
  | ({ readonly type: 'ACCESS'; readonly expect: number; readonly page: string } & Fetched);

export interface CpuHardware {
  readonly design: Design;
  readonly layout: Layout;
  /** VAs whose TLB entries are kept (mmu/volatile.ts). */
  readonly tracked: ReadonlySet<number>;
}

export interface StepMeta {
  readonly step: string;
  readonly fetch: InitStep['fetch'];
  readonly cite: string;
}

type Args = { context: CpuContext; event: CpuEvent };

/** What a fetching step read; the wiring always sends it, so its absence is a wiring bug, not a model outcome. */
function fetched(e: CpuEvent): Fetched {
  if (!('walk' in e)) throw new InternalError(`${e.type} reached a CPU without the walk of the VA it fetches`);
  return e;
}

const done: SendEffect = { type: 'bus.send', to: 'kernel', event: { type: 'DONE' } };

const cpuSetup = setup({ types: {} as { context: CpuContext; events: CpuEvent; input: { online?: boolean } | undefined; emitted: SendEffect } });
type CpuStates = NonNullable<Parameters<typeof cpuSetup.createMachine>[0]['states']>;
/** The transitions of one step event (every StepName narrows the event the same way). */
type Transitions = NonNullable<NonNullable<CpuStates[string]['on']>['ERET']>;

/** Translate a fetch or access against the page it must reach: the fault it causes (or null), and the TLB after it. */
function accessChecks(tracked: ReadonlySet<number>) {
  const fault = (c: CpuContext, f: Fetched, step: string, want: { name: string; pa: number }): Fault | null => {
    const t = translate(c.tlb, f.va, f.walk, tracked.has(f.va));
    if (t.kind === 'translation-fault' || t.kind === 'use-after-free') return { invariant: t.kind, step, va: f.va, pgd: c.httbr, expected: want };
    if (t.pa !== want.pa) return { invariant: 'wrong-translation', step, va: f.va, pgd: c.httbr, expected: want, got: t.pa, fromTlb: t.kind === 'hit' };
    return null;
  };
  const tlbAfter = (c: CpuContext, f: Fetched) => {
    const t = translate(c.tlb, f.va, f.walk, tracked.has(f.va));
    return t.kind === 'hit' || t.kind === 'walked' ? t.tlb : c.tlb;
  };
  return { fault, tlbAfter };
}

type Flat = readonly { readonly phase: string; readonly step: InitStep }[];
type After = (a: Args) => Partial<CpuContext>;

/**
 * A chain of step states, one compound state per phase. `finish` gives the transitions of the last step
 * (where the chain leads); every step with a fetch first checks it and goes to `fault` if it fails.
 */
function stepChain(hw: CpuHardware, flat: Flat, finish: (after: After) => Transitions): CpuStates {
  const { layout } = hw;
  const addr = { idmapVa: layout.idmapVa, initPa: layout.initPa, trampolineVa: layout.trampolineVa };
  const want = (fetch: InitStep['fetch']) => (fetch === 'text' ? { name: 'HYP text', pa: layout.text.pa } : { name: 'init page', pa: layout.initPa });
  const access = accessChecks(hw.tracked);
  const states: CpuStates = {};
  const phases: Record<string, CpuStates> = {};
  flat.forEach(({ phase, step }, i) => {
    // The fetch fills the TLB first; then the step's own effect (a TLBI empties it afterwards).
    const after: After = ({ context, event }) => {
      const f = step.fetch ? fetched(event) : null;
      const tlb = f ? access.tlbAfter(context, f) : context.tlb;
      return { tlb, pc: f ? f.va : context.pc, ...step.effect({ ...context, tlb }, addr) };
    };
    const ok: Transitions = i === flat.length - 1 ? finish(after) : { target: `#cpu.${flat[i + 1].phase}.${flat[i + 1].step.state}`, actions: assign(after) };
    const w = want(step.fetch);
    const checked: Transitions = [
      {
        guard: ({ context, event }) => access.fault(context, fetched(event), step.event, w) !== null,
        target: '#cpu.fault',
        actions: assign(({ context, event }) => ({ fault: access.fault(context, fetched(event), step.event, w), pc: fetched(event).va })),
      },
      ...(Array.isArray(ok) ? ok : [ok]),
    ];
    const meta: StepMeta = { step: step.event, fetch: step.fetch, cite: step.cite };
    phases[phase] ??= {};
    phases[phase][step.state] = { meta, on: { [step.event]: step.fetch ? checked : ok } };
    states[phase] ??= { initial: step.state, states: phases[phase] };
  });
  return states;
}

/** The pKVM switch (do_pkvm_init on the calling CPU), or nothing for the other designs. */
function pkvmSwitchChain(hw: CpuHardware): { states: CpuStates; first: string | null } {
  if (hw.design.pgds !== 'pkvm') return { states: {}, first: null };
  const flat = pkvmSwitchPhases(hw.design).flatMap((p) => p.steps.map((step) => ({ phase: p.name, step })));
  const states = stepChain(hw, flat, (after) => ({ target: '#cpu.runtime', actions: [assign((a: Args) => ({ ...after(a), via: null })), emit(done)] }));
  return { states, first: `#cpu.${flat[0].phase}.${flat[0].step.state}` };
}

/** HYP teardown before CPU down or deep idle (v4.7+), or nothing. */
function teardownChain(hw: CpuHardware): { states: CpuStates; first: string | null } {
  const flat = teardownSteps(hw.design).map((step) => ({ phase: 'teardown', step }));
  if (!flat.length) return { states: {}, first: null };
  // Teardown done: the CPU dies (cpu_die) or enters deep idle, losing what is left of HYP state.
  const states = stepChain(hw, flat, (after) => [
    // kvm_arch_hardware_disable from init_subsystems: back on the stub, online, the kernel told.
    {
      guard: ({ context }) => context.after === 'stub',
      target: '#cpu.off.stub',
      actions: [assign((a: Args) => ({ ...after(a), after: null, via: null })), emit(done)],
    },
    { guard: ({ context }) => context.after === 'idle', target: '#cpu.off.idle', actions: assign(() => resetContext(true)) },
    { target: '#cpu.off.offline', actions: assign(() => resetContext(false)) },
  ]);
  return { states, first: `#cpu.teardown.${flat[0].step.state}` };
}

/** Online, on the stub, powered down, or in deep idle: where HYP init starts from. */
function offStates(firstInit: string, pkvmFirst: string | null): CpuStates[string] {
  return {
    initial: 'stub',
    states: {
      // Online, running the kernel; HYP is the stub (arch/arm/kernel/hyp-stub.S).
      stub: {
        on: {
          INIT: { target: firstInit, actions: assign({ via: 'ipi' as const }) },
          ...(pkvmFirst ? { PKVM_INIT: { target: pkvmFirst, actions: assign({ via: 'ipi' as const }) } } : {}),
          // _kvm_arch_hardware_disable on a CPU whose HYP is not up: nothing to tear down.
          HYP_RESET: { actions: emit(done) },
          CPU_PM_ENTER: { target: 'idle', actions: assign(() => resetContext(true)) },
        },
      },
      // Powered down, not in cpu_online_mask.
      offline: {
        on: {
          CPU_UP: [
            // v3.10 arch/arm/kvm/arm.c hyp_init_cpu_notify: CPU_STARTING → cpu_init_hyp_mode(NULL).
            { guard: ({ event }) => 'notifier' in event && event.notifier === true, target: firstInit, actions: assign({ via: 'notifier' as const }) },
            { target: 'stub', actions: assign({ online: true }) },
          ],
        },
      },
      // Online but in a deep idle state (cpu_pm_enter): HYP state is lost, HVBAR back to the stub's.
      idle: {
        on: {
          CPU_PM_EXIT: [
            // v3.14 arch/arm/kvm/arm.c hyp_init_cpu_pm_notifier: CPU_PM_EXIT and __hyp_get_vectors() == hyp_default_vectors → cpu_init_hyp_mode(NULL).
            { guard: ({ event }) => 'notifier' in event && event.notifier === true, target: firstInit, actions: assign({ via: 'pm' as const }) },
            { target: 'stub' },
          ],
        },
      },
    },
  };
}

/** HYP up: accesses to the runtime pages, re-init requests answered at once, and the way down. */
function runtimeState(hw: CpuHardware, teardownFirst: string | null): CpuStates[string] {
  const access = accessChecks(hw.tracked);
  const page = (e: CpuEvent) => ('page' in e ? { name: e.page, pa: e.expect } : { name: 'a runtime page', pa: -1 });
  return {
    on: {
      // _kvm_arch_hardware_enable on a CPU whose HYP is already up (do_pkvm_init set kvm_arm_hardware_enabled): return at once.
      INIT: { actions: emit(done) },
      // HYP at work (world switch, VM entry): each access must get the page it means.
      ACCESS: [
        {
          guard: ({ context, event }) => access.fault(context, fetched(event), 'ACCESS', page(event)) !== null,
          target: '#cpu.fault',
          actions: assign(({ context, event }) => ({ fault: access.fault(context, fetched(event), 'ACCESS', page(event)) })),
        },
        { actions: assign(({ context, event }) => ({ tlb: access.tlbAfter(context, fetched(event)) })) },
      ],
      // kvm_arch_hardware_disable → cpu_hyp_reset (v4.7+), from the CPU_DYING / CPU_PM_ENTER paths.
      ...(teardownFirst
        ? {
            HYP_RESET: { target: teardownFirst, actions: assign({ after: 'stub' as const, via: 'ipi' as const }) },
            CPU_DOWN: { target: teardownFirst, actions: assign({ online: false, after: 'off' as const }) },
            CPU_PM_ENTER: { target: teardownFirst, actions: assign({ after: 'idle' as const }) },
          }
        : { CPU_PM_ENTER: { target: '#cpu.off.idle', actions: assign(() => resetContext(true)) } }),
    },
  };
}

export function createCpuMachine(hw: CpuHardware): AnyStateMachine {
  const init = initPhases(hw.design, hw.layout.profile).flatMap((p) => p.steps.map((step) => ({ phase: p.name, step })));
  const firstInit = `#cpu.${init[0].phase}.${init[0].step.state}`;
  const initStates = stepChain(hw, init, (after) => [
    // Back in the kernel with HYP up: the IPI's caller is told (csd completion) ...
    { guard: ({ context }) => context.via === 'ipi', target: '#cpu.runtime', actions: [assign((a: Args) => ({ ...after(a), via: null })), emit(done)] },
    // ... or, at CPU_STARTING, the CPU goes on to set itself online (set_cpu_online after notify_cpu_starting); back from idle it already is.
    { target: '#cpu.runtime', actions: assign((a: Args) => ({ ...after(a), via: null, online: true })) },
  ]);
  const pkvmSwitch = pkvmSwitchChain(hw);
  const teardown = teardownChain(hw);
  return cpuSetup.createMachine({
    id: 'cpu',
    context: ({ input }) => resetContext(input?.online ?? true),
    initial: 'off',
    on: {
      // Power-off (cpu_die): registers reset, TLB empty, HYP back to the stub after the next power-on.
      CPU_DOWN: { target: '#cpu.off.offline', actions: assign(() => resetContext(false)) },
      // The page-table walker may fill the TLB at any time the HYP MMU is on, in HYP or not (ARM ARM).
      SPECULATE: [
        {
          guard: ({ event }) => fetched(event).walk.kind === 'freed',
          target: '#cpu.fault',
          actions: assign(({ context, event }) => {
            const expected = { name: 'a live page table', pa: 0 };
            const fault: Fault = { invariant: 'use-after-free', step: 'SPECULATE', va: fetched(event).va, pgd: context.httbr, expected };
            return { fault };
          }),
        },
        {
          guard: ({ event }) => fetched(event).walk.kind === 'mapped',
          actions: assign(({ context, event }) => {
            const f = fetched(event);
            return { tlb: f.walk.kind === 'mapped' ? fill(context.tlb, f.va, f.walk.pa) : context.tlb };
          }),
        },
      ],
    },
    states: {
      off: offStates(firstInit, pkvmSwitch.first),
      ...initStates,
      ...pkvmSwitch.states,
      runtime: runtimeState(hw, teardown.first),
      ...teardown.states,
      // Stuck in HYP: a translation fault with no handler, the wrong page executed, or a freed table walked.
      fault: {},
    },
  });
}
