/**
 * The CPU statechart: off → boot-pgd → trampoline → runtime → off (v3.10), off → idmap → runtime (v3.9,
 * v4.8), runtime → teardown → off (v4.7+), plus fault. Steps come from machines/cpu-steps.ts in the
 * kernel's order. The statechart does the TLB and checks each fetch and access against the page the step
 * expects; what it reads of shared memory (a walk of the table in HTTBR) arrives in the event, so every
 * transition is pure.
 */
import { assign, createMachine, emit, type AnyStateMachine } from 'xstate';
import type { Design } from '../design/design';
import type { Layout } from '../mmu/layout';
import type { Walk } from '../mmu/pgd';
import { fill } from '../mmu/tlb';
import { translate } from '../mmu/translate';
import { resetContext, type CpuContext, type Fault } from './cpu-context';
import { initPhases, teardownSteps, type InitStep } from './cpu-steps';
import { pkvmSwitchPhases } from './pkvm-steps';

/** Events a CPU takes. Step events carry the VA they fetch and what a walk of it gives now. */
export interface CpuEvent {
  readonly type: string;
  readonly va?: number;
  readonly walk?: Walk;
  /** ACCESS: the PA the access expects, and the page's name. */
  readonly expect?: number;
  readonly page?: string;
  /** CPU_UP / CPU_PM_EXIT: whether the HYP init notifier is registered when the CPU starts or wakes. */
  readonly notifier?: boolean;
}

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

export function createCpuMachine(hw: CpuHardware): AnyStateMachine {
  const { layout, tracked, design } = hw;
  const addr = { idmapVa: layout.idmapVa, initPa: layout.initPa, trampolineVa: layout.trampolineVa };
  const expected = (fetch: InitStep['fetch']) => (fetch === 'text' ? { name: 'HYP text', pa: layout.text.pa } : { name: 'init page', pa: layout.initPa });

  /** Translate the event's VA: null if it gets `want`, else the fault it causes. */
  const accessFault = (c: CpuContext, e: CpuEvent, step: string, want: { name: string; pa: number }): Fault | null => {
    const t = translate(c.tlb, e.va!, e.walk!, tracked.has(e.va!));
    if (t.kind === 'translation-fault' || t.kind === 'use-after-free') return { invariant: t.kind, step, va: e.va!, pgd: c.httbr, expected: want };
    if (t.pa !== want.pa) return { invariant: 'wrong-translation', step, va: e.va!, pgd: c.httbr, expected: want, got: t.pa, fromTlb: t.kind === 'hit' };
    return null;
  };
  const accessTlb = (c: CpuContext, e: CpuEvent) => {
    const t = translate(c.tlb, e.va!, e.walk!, tracked.has(e.va!));
    return t.kind === 'hit' || t.kind === 'walked' ? t.tlb : c.tlb;
  };

  /**
   * A chain of step states. `finish` gives the transitions of the last step (where the chain leads);
   * every step with a fetch first checks it and goes to `fault` if it fails.
   */
  const chain = (flat: { phase: string; step: InitStep }[], finish: (after: (a: Args) => Partial<CpuContext>) => unknown[]) => {
    const states: Record<string, { initial: string; states: Record<string, unknown> }> = {};
    flat.forEach(({ phase, step }, i) => {
      // The fetch fills the TLB first; then the step's own effect (a TLBI empties it afterwards).
      const after = ({ context, event }: Args): Partial<CpuContext> => {
        const tlb = step.fetch ? accessTlb(context, event) : context.tlb;
        return { tlb, pc: step.fetch ? event.va! : context.pc, ...step.effect({ ...context, tlb }, addr) };
      };
      const ok = i === flat.length - 1 ? finish(after) : [{ target: `#cpu.${flat[i + 1].phase}.${flat[i + 1].step.state}`, actions: assign(after) }];
      const want = expected(step.fetch);
      const on = step.fetch
        ? [
            {
              guard: ({ context, event }: Args) => accessFault(context, event, step.event, want) !== null,
              target: '#cpu.fault',
              actions: assign(({ context, event }: Args) => ({ fault: accessFault(context, event, step.event, want), pc: event.va ?? null })),
            },
            ...ok,
          ]
        : ok;
      const p = (states[phase] ??= { initial: step.state, states: {} });
      p.states[step.state] = { meta: { step: step.event, fetch: step.fetch, cite: step.cite } satisfies StepMeta, on: { [step.event]: on } };
    });
    return states;
  };

  const init = initPhases(design, layout.profile).flatMap((p) => p.steps.map((step) => ({ phase: p.name, step })));
  const firstInit = `#cpu.${init[0].phase}.${init[0].step.state}`;
  const initStates = chain(init, (after) => [
    // Back in the kernel with HYP up: the IPI's caller is told (csd completion) ...
    { guard: ({ context }: Args) => context.via === 'ipi', target: '#cpu.runtime', actions: [assign((a: Args) => ({ ...after(a), via: null })), emit({ type: 'bus.send', to: 'kernel', event: { type: 'DONE' } })] },
    // ... or, at CPU_STARTING, the CPU goes on to set itself online (set_cpu_online after notify_cpu_starting); back from idle it already is.
    { target: '#cpu.runtime', actions: assign((a: Args) => ({ ...after(a), via: null, online: true })) },
  ]);

  // pKVM: the CPU running do_pkvm_init inits on the host pgd, then switches to EL2's own tables.
  const pkvmSwitch = design.pgds === 'pkvm' ? pkvmSwitchPhases(design).flatMap((p) => p.steps.map((step) => ({ phase: p.name, step }))) : [];
  const switchStates = pkvmSwitch.length
    ? chain(pkvmSwitch, (after) => [{ target: '#cpu.runtime', actions: [assign((a: Args) => ({ ...after(a), via: null })), emit({ type: 'bus.send', to: 'kernel', event: { type: 'DONE' } })] }])
    : {};
  const stubOn = pkvmSwitch.length ? { PKVM_INIT: { target: `#cpu.${pkvmSwitch[0].phase}.${pkvmSwitch[0].step.state}`, actions: assign({ via: 'ipi' as const }) } } : {};

  const teardown = teardownSteps(design).map((step) => ({ phase: 'teardown', step }));
  const teardownStates = teardown.length
    ? chain(teardown, () => [
        // Teardown done: the CPU dies (cpu_die) or enters deep idle, losing what is left of HYP state.
        { guard: ({ context }: Args) => context.after === 'idle', target: '#cpu.off.idle', actions: assign(() => resetContext(true)) },
        { target: '#cpu.off.offline', actions: assign(() => resetContext(false)) },
      ])
    : {};
  const firstTeardown = teardown.length ? `#cpu.teardown.${teardown[0].step.state}` : null;

  return createMachine({
    id: 'cpu',
    context: ({ input }: { input?: { online?: boolean } }) => resetContext(input?.online ?? true),
    initial: 'off',
    on: {
      // Power-off (cpu_die): registers reset, TLB empty, HYP back to the stub after the next power-on.
      CPU_DOWN: { target: '#cpu.off.offline', actions: assign(() => resetContext(false)) },
      // The page-table walker may fill the TLB at any time the HYP MMU is on, in HYP or not (ARM ARM).
      SPECULATE: [
        {
          guard: ({ event }: Args) => event.walk?.kind === 'freed',
          target: '#cpu.fault',
          actions: assign(({ context, event }: Args) => ({ fault: { invariant: 'use-after-free', step: 'SPECULATE', va: event.va!, pgd: context.httbr, expected: { name: 'a live page table', pa: 0 } } satisfies Fault })),
        },
        {
          guard: ({ event }: Args) => event.walk?.kind === 'mapped',
          actions: assign(({ context, event }: Args) => ({ tlb: fill(context.tlb, event.va!, (event.walk as { pa: number }).pa) })),
        },
      ],
    },
    states: {
      off: {
        initial: 'stub',
        states: {
          // Online, running the kernel; HYP is the stub (arch/arm/kernel/hyp-stub.S).
          stub: {
            on: {
              INIT: { target: firstInit, actions: assign({ via: 'ipi' as const }) },
              ...stubOn,
              CPU_PM_ENTER: { target: 'idle', actions: assign(() => resetContext(true)) },
            },
          },
          // Powered down, not in cpu_online_mask.
          offline: {
            on: {
              CPU_UP: [
                // v3.10 arch/arm/kvm/arm.c hyp_init_cpu_notify: CPU_STARTING → cpu_init_hyp_mode(NULL).
                { guard: ({ event }: Args) => event.notifier === true, target: firstInit, actions: assign({ via: 'notifier' as const }) },
                { target: 'stub', actions: assign({ online: true }) },
              ],
            },
          },
          // Online but in a deep idle state (cpu_pm_enter): HYP state is lost, HVBAR back to the stub's.
          idle: {
            on: {
              CPU_PM_EXIT: [
                // v3.14 arch/arm/kvm/arm.c hyp_init_cpu_pm_notifier: CPU_PM_EXIT and __hyp_get_vectors() == hyp_default_vectors → cpu_init_hyp_mode(NULL).
                { guard: ({ event }: Args) => event.notifier === true, target: firstInit, actions: assign({ via: 'pm' as const }) },
                { target: 'stub' },
              ],
            },
          },
        },
      },
      ...initStates,
      ...switchStates,
      runtime: {
        on: {
          // _kvm_arch_hardware_enable on a CPU whose HYP is already up (do_pkvm_init set kvm_arm_hardware_enabled): return at once.
          INIT: { actions: emit({ type: 'bus.send', to: 'kernel', event: { type: 'DONE' } }) },
          // HYP at work (world switch, VM entry): each access must get the page it means.
          ACCESS: [
            {
              guard: ({ context, event }: Args) => accessFault(context, event, 'ACCESS', { name: event.page!, pa: event.expect! }) !== null,
              target: '#cpu.fault',
              actions: assign(({ context, event }: Args) => ({ fault: accessFault(context, event, 'ACCESS', { name: event.page!, pa: event.expect! }) })),
            },
            { actions: assign(({ context, event }: Args) => ({ tlb: accessTlb(context, event) })) },
          ],
          // kvm_arch_hardware_disable → cpu_hyp_reset (v4.7+), from the CPU_DYING / CPU_PM_ENTER paths.
          ...(firstTeardown
            ? {
                CPU_DOWN: { target: firstTeardown, actions: assign({ online: false, after: 'off' as const }) },
                CPU_PM_ENTER: { target: firstTeardown, actions: assign({ after: 'idle' as const }) },
              }
            : { CPU_PM_ENTER: { target: '#cpu.off.idle', actions: assign(() => resetContext(true)) } }),
        },
      },
      ...teardownStates,
      // Stuck in HYP: a translation fault with no handler, the wrong page executed, or a freed table walked.
      fault: {},
    },
  } as never);
}
