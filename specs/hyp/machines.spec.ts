import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { buildHypSystem } from '../../actors/hyp-system';
import { Engine, type World } from '../../bus/engine';
import { legacy, mutants, trampoline, trampolineV315, type Design } from '../../design/design';
import { createCpuMachine } from '../../machines/cpu';
import type { CpuContext } from '../../machines/cpu-context';
import { initPhases } from '../../machines/cpu-steps';
import { createHotplugMachine } from '../../machines/hotplug';
import { kernelSteps } from '../../machines/kernel-steps';
import { collideLayout, disjointLayout } from '../../mmu/layout';
import { stateName } from '../../invariants/hyp';

const layout = collideLayout(2, 1);
const cpu = (d: Design = trampoline) => createCpuMachine({ design: d, layout, tracked: new Set([layout.idmapVa, layout.trampolineVa]) });
const ctx = (s: AnyMachineSnapshot) => s.context as CpuContext;

function run(d: Design, cpus = 1, hotplug = 0) {
  const sys = buildHypSystem({ design: d, layout: collideLayout(cpus, 0), cpus, hotplug, vms: 0, hotplugFromBoot: false, tlbScope: 'volatile' });
  const e = new Engine(sys.spec, { symmetry: false });
  let w: World = e.initial();
  const path: string[] = [];
  // Always the first enabled step that is not a speculative fill: the program order of each actor.
  for (let i = 0; i < 200; i++) {
    const steps = e.enabled(w).filter((s) => s.event.type !== 'SPECULATE' && s.event.type !== 'ACCESS');
    if (!steps.length) break;
    path.push(`${e.actorId(steps[0].actor)}:${steps[0].event.type}`);
    w = e.apply(w, steps[0]);
  }
  return { e, w, path, sys };
}

describe('CPU statechart (v3.10 trampoline)', () => {
  test('steps in the order of __do_hyp_init and ends in runtime with the runtime pgd, stack and vectors', () => {
    const { e, w, path } = run(trampoline);
    expect(path.filter((p) => p.startsWith('cpu0')).map((p) => p.split(':')[1])).toEqual([
      'INIT',
      'SET_VECTORS',
      'HVC',
      'SET_PGD',
      'ENABLE_MMU',
      'ERET',
      'HVC',
      'SET_STACK',
      'JUMP_TRAMPOLINE',
      'SWITCH_PGD',
      'TLBI',
      'ERET',
    ]);
    const s = e.snapshot(w, e.indexOf('cpu0'));
    expect(stateName(s)).toBe('runtime');
    expect(ctx(s)).toMatchObject({ httbr: 'hyp', mmu: true, hvbar: 'runtime', hsp: 'stack', online: true, fault: null });
    // After the TLBI only the trampoline fetch of the eret is cached, through the runtime pgd.
    expect(ctx(s).tlb).toEqual([[0xffff0000, 0x80208000]]);
  });
  test('the kernel runs its v3.10 step list', () => {
    const { path } = run(trampoline, 1, 1);
    expect(path.filter((p) => p.startsWith('kernel')).map((p) => p.split(':')[1])).toEqual([
      'KVM_MMU_INIT',
      'CREATE_HYP_MAPPINGS',
      'ON_EACH_CPU',
      'DONE',
      'REGISTER_CPU_NOTIFIER',
      'KVM_UP',
    ]);
  });
  test('without hotplug the boot pgd is freed (free_boot_hyp_pgd under #ifndef CONFIG_HOTPLUG_CPU)', () => {
    const { e, w } = run(trampoline, 1, 0);
    const m = e.global(w) as { boot: { freed: boolean }; hyp: { entries: [number, number][] } };
    expect(m.boot.freed).toBe(true);
    expect(m.hyp.entries.some(([va]) => va === 0xffff0000)).toBe(false);
  });
  test('a fetch from an unmapped trampoline VA faults', () => {
    let s = initialTransition(cpu(), { online: true })[0];
    for (const ev of [
      { type: 'INIT' },
      { type: 'SET_VECTORS' },
      { type: 'HVC' },
      { type: 'SET_PGD' },
      { type: 'ENABLE_MMU' },
      { type: 'ERET', va: 0x80208000, walk: { kind: 'mapped', pa: 0x80208000 } },
      { type: 'HVC', va: 0x80208000, walk: { kind: 'mapped', pa: 0x80208000 } },
      { type: 'SET_STACK', va: 0x80208000, walk: { kind: 'mapped', pa: 0x80208000 } },
    ])
      s = transition(cpu(), s, ev as never)[0];
    expect(stateName(s)).toBe('boot-pgd.jump-trampoline');
    s = transition(cpu(), s, { type: 'JUMP_TRAMPOLINE', va: 0xffff0000, walk: { kind: 'unmapped' } } as never)[0];
    expect(stateName(s)).toBe('fault');
    expect(ctx(s).fault).toMatchObject({ invariant: 'translation-fault', step: 'JUMP_TRAMPOLINE', va: 0xffff0000, pgd: 'boot' });
  });
  test('a stale TLB hit that gives another page is a wrong translation', () => {
    const m = cpu();
    let s = m.resolveState({
      value: 'runtime',
      context: { ...ctx(initialTransition(m)[0]), httbr: 'hyp', mmu: true, hvbar: 'runtime', hsp: 'stack', tlb: [[0x80208000, 0x80208000]] },
    });
    s = transition(m, s, { type: 'ACCESS', va: 0x80208000, walk: { kind: 'mapped', pa: 0xc0208000 }, expect: 0xc0208000, page: 'HYP text' } as never)[0];
    expect(stateName(s)).toBe('fault');
    expect(ctx(s).fault).toMatchObject({ invariant: 'wrong-translation', got: 0x80208000, fromTlb: true });
  });
  test('a speculative fill caches what the current table maps; through a freed table it is a use-after-free', () => {
    const m = cpu();
    const base = m.resolveState({ value: { 'boot-pgd': 'hvc-phase2' }, context: { ...ctx(initialTransition(m)[0]), httbr: 'boot', mmu: true } });
    const filled = transition(m, base, { type: 'SPECULATE', va: 0x80208000, walk: { kind: 'mapped', pa: 0x80208000 } } as never)[0];
    expect(stateName(filled)).toBe('boot-pgd.hvc-phase2');
    expect(ctx(filled).tlb).toEqual([[0x80208000, 0x80208000]]);
    const uaf = transition(m, base, { type: 'SPECULATE', va: 0x80208000, walk: { kind: 'freed' } } as never)[0];
    expect(ctx(uaf).fault?.invariant).toBe('use-after-free');
  });
  test('CPU_DOWN powers off: TLB emptied, registers reset; CPU_UP with the notifier starts init at CPU_STARTING', () => {
    const m = cpu();
    let s = m.resolveState({
      value: 'runtime',
      context: { ...ctx(initialTransition(m)[0]), httbr: 'hyp', mmu: true, hvbar: 'runtime', hsp: 'stack', tlb: [[1, 2]] },
    });
    s = transition(m, s, { type: 'CPU_DOWN' } as never)[0];
    expect(stateName(s)).toBe('off.offline');
    expect(ctx(s)).toMatchObject({ online: false, httbr: null, mmu: false, hvbar: 'stub', tlb: [] });
    const up = transition(m, s, { type: 'CPU_UP', notifier: true } as never)[0];
    expect(stateName(up)).toBe('boot-pgd.set-vectors');
    expect(ctx(up).via).toBe('notifier');
    const stub = transition(m, s, { type: 'CPU_UP', notifier: false } as never)[0];
    expect(stateName(stub)).toBe('off.stub');
    expect(ctx(stub).online).toBe(true);
  });
});

describe('designs choose the steps, not copies of machines', () => {
  test('legacy: one pass at the idmap, no trampoline, no TLBI', () => {
    const steps = initPhases(legacy).flatMap((p) => p.steps.map((s) => s.event));
    expect(steps).toEqual(['SET_VECTORS', 'HVC', 'SET_PGD', 'ENABLE_MMU', 'SET_STACK', 'ERET']);
    expect(kernelSteps(legacy, layout, { cpus: 2, hotplug: 1 }).map((s) => s.event)).toEqual([
      'KVM_MMU_INIT',
      'SMP_CALL_FUNCTION_SINGLE',
      'KVM_CLEAR_HYP_IDMAP',
      'CREATE_HYP_MAPPINGS',
      'KVM_UP',
    ]);
  });
  test('each mutant changes exactly its step', () => {
    const trampSteps = (d: Design) =>
      initPhases(d)
        .find((p) => p.name === 'trampoline')!
        .steps.map((s) => s.event);
    const m = Object.fromEntries(mutants.map((d) => [d.name, d]));
    expect(trampSteps(trampoline)).toEqual(['SWITCH_PGD', 'TLBI', 'ERET']);
    expect(trampSteps(m['no-tlbi'])).toEqual(['SWITCH_PGD', 'ERET']);
    expect(trampSteps(m['tlbi-before-switch'])).toEqual(['TLBI', 'SWITCH_PGD', 'ERET']);
    const writes = (d: Design) =>
      kernelSteps(d, layout, { cpus: 2, hotplug: 1 }).flatMap((s) => s.writes.map((w) => `${w.type}:${'pgd' in w ? w.pgd : ''}:${'what' in w ? w.what : ''}`));
    expect(writes(m['no-boot-trampoline'])).not.toContain('mem.map:boot:trampoline');
    expect(writes(m['no-runtime-trampoline'])).not.toContain('mem.map:hyp:trampoline');
    expect(writes(m['free-boot-pgd'])).toContain('mem.free:boot:');
    expect(writes(trampoline)).not.toContain('mem.free:boot:');
    expect(kernelSteps(m['no-cpu-notifier'], layout, { cpus: 2, hotplug: 1 }).map((s) => s.event)).not.toContain('REGISTER_CPU_NOTIFIER');
  });
  test('v3.15 brackets init and registration with cpu_notifier_register_begin/done', () => {
    const ev = kernelSteps(trampolineV315, disjointLayout(2, 0), { cpus: 2, hotplug: 1 }).map((s) => s.event);
    expect(ev[0]).toBe('CPU_NOTIFIER_REGISTER_BEGIN');
    expect(ev.indexOf('CPU_NOTIFIER_REGISTER_DONE')).toBe(ev.indexOf('REGISTER_CPU_NOTIFIER') + 1);
  });
  test('every CPU step cites the kernel file and function', () => {
    for (const d of [legacy, trampoline])
      for (const s of initPhases(d).flatMap((p) => p.steps)) expect(s.cite).toMatch(/^v3\.(9|10) arch\/arm\/(kvm|include\/asm)\/[\w.]+\.[chS] \w+/);
  });
});

describe('hotplug statechart', () => {
  test('takes at most K CPUs down', () => {
    const m = createHotplugMachine(1);
    let s = initialTransition(m)[0];
    const [s1, a1] = transition(m, s, { type: 'DOWN', cpu: 1 } as never);
    expect((s1.context as { downs: number }).downs).toBe(1);
    expect(a1.some((a) => a.type === 'xstate.emit')).toBe(true);
    const [s2, a2] = transition(m, s1, { type: 'DOWN', cpu: 0 } as never);
    expect((s2.context as { downs: number }).downs).toBe(1);
    expect(a2).toHaveLength(0);
    s = s2;
  });
});
