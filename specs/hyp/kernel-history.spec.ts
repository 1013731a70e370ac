/**
 * Issue 13, the kernel's history read from source: the seed's hotplug bug for the seed's reason, the
 * collide layout's colliding page, free_boot_hyp_pgd's NULL, arm64's own step list and pKVM. Each test
 * fails if the model drifts from what the cited kernel code does.
 */
import { explore } from '../../api/explore';
import { system } from '../../api/system';
import { allDesigns, findDesign, knobs, laterMutants, parseDesign, pkvm } from '../../design/design';
import { initPhases, teardownSteps } from '../../machines/cpu-steps';
import { kernelSteps } from '../../machines/kernel-steps';
import { pkvmSwitchPhases } from '../../machines/pkvm-steps';
import { arm64Layout, collideLayout, runtimePages } from '../../mmu/layout';
import { renderTimeline } from '../../report/timeline';
import { traceSession } from '../../inspector/session';
import { InputError } from '../../util/errors';

const run = (o: Parameters<typeof system>[0], opts = {}) => explore(system(o), opts);
const verdict = (o: Parameters<typeof system>[0], opts = {}) => {
  const r = run(o, opts);
  return r.result === 'violation' ? r.violation!.invariant : r.result;
};

describe('seed bug 2: legacy-hotplug (v3.9 + a cpu notifier) faults at the idmap VA on the returning CPU', () => {
  test('the shortest counterexample is a translation-fault of the returning CPU at the idmap VA, after kvm_clear_hyp_idmap', () => {
    const sys = system({ design: 'legacy-hotplug', layout: 'disjoint', cpus: 2, hotplug: 1 });
    const r = explore(sys);
    expect(r.result).toBe('violation');
    expect(r.violation!.invariant).toBe('translation-fault');
    expect(r.violation!.message).toMatch(/^cpu\d SET_STACK at VA 0x80208000: hyp_pgd does not map it \(the idmap VA\)/);
    const t = renderTimeline(sys, r.violation!.trace, r.violation);
    // The CPU went down, came back through the notifier, and faulted: not a first-boot fault.
    expect(t.indexOf('KVM_CLEAR_HYP_IDMAP')).toBeLessThan(t.indexOf('CPU_UP'));
    expect(t).toMatch(/CPU_UP +powered on; CPU_STARTING: hyp_init_cpu_notify → cpu_init_hyp_mode\(\)/);
    expect(verdict({ design: 'legacy-hotplug', layout: 'disjoint', cpus: 3, hotplug: 1 }, { symmetry: false, por: false })).toBe('translation-fault');
  });
  test('without hotplug it is v3.9 exactly: verified on disjoint', () => {
    expect(verdict({ design: 'legacy-hotplug', layout: 'disjoint', cpus: 2, hotplug: 0 })).toBe('verified');
  });
  test('its notifier step says no kernel shipped it', () => {
    const k = kernelSteps(findDesign('legacy-hotplug')!, collideLayout(2, 0), { cpus: 2, hotplug: 1 });
    expect(k.find((s) => s.event === 'REGISTER_CPU_NOTIFIER')!.cite).toMatch(/^not in v3\.9/);
  });
});

describe('collide: the colliding page is one that can be there', () => {
  test("cpu0's HYP stack (high lowmem) sits at the idmap VA; the HYP text is in the kernel image", () => {
    const l = collideLayout(4, 2);
    const at = runtimePages(l).filter((p) => p.ref.va === l.idmapVa);
    expect(at.map((p) => p.name)).toEqual(['stack cpu0']);
    expect(l.text.pa).toBeLessThan(l.initPa);
  });
  test('the violation names the page (stack cpu0), and collide-text keeps the old text collision', () => {
    expect(run({ design: 'legacy', layout: 'collide', cpus: 2 }).violation!.message).toMatch(/expected stack cpu0 at PA 0xc0208000/);
    expect(run({ design: 'legacy', layout: 'collide-text', cpus: 2 }).violation!.message).toMatch(/expected HYP text at PA 0xc0208000/);
  });
});

describe('free_boot_hyp_pgd leaves boot_hyp_pgd = NULL: later inits load HTTBR = virt_to_phys(NULL)', () => {
  test('the violation says what the kernel walks, with the PA on a linear ARMv7 layout', () => {
    const m = run({ design: 'free-boot-pgd', layout: 'collide', cpus: 2, hotplug: 1 }).violation!.message;
    expect(m).toMatch(/kvm_mmu_get_boot_httbr\(\) = virt_to_phys\(NULL\)/);
    expect(m).toMatch(/reads PA 0x40000000, which is not a page table/); // PHYS_OFFSET 0x80000000 - PAGE_OFFSET 0x40000000
    expect(run({ design: 'free-boot-pgd', layout: 'disjoint', cpus: 2, hotplug: 1 }).violation!.message).toMatch(/reads PA 0xc0000000/);
  });
});

describe("arm64's own step list (v3.11 arch/arm64/kvm/hyp-init.S)", () => {
  const d = findDesign('trampoline')!;
  test('one hvc, no eret between the MMU going on and the switch, SP and VBAR after the TLBI', () => {
    const steps = initPhases(d, 'arm64').flatMap((p) => p.steps.map((s) => s.event));
    expect(steps.filter((e) => e === 'HVC')).toHaveLength(1);
    const mmuOn = steps.indexOf('ENABLE_MMU');
    expect(steps.slice(mmuOn, steps.indexOf('SWITCH_PGD'))).not.toContain('ERET');
    expect(steps.indexOf('SET_STACK')).toBeGreaterThan(steps.indexOf('TLBI'));
    expect(steps).toEqual(['SET_VECTORS', 'HVC', 'SET_PGD', 'ENABLE_MMU', 'LDR_TRAMPOLINE_VA', 'JUMP_TRAMPOLINE', 'SWITCH_PGD', 'TLBI', 'SET_STACK', 'ERET']);
    for (const s of initPhases(d, 'arm64').flatMap((p) => p.steps)) expect(s.cite).toMatch(/^v3\.11 arch\/arm(64)?\/(kvm|include\/asm)\/[\w.-]+\.[chS] \w+/);
  });
  test('ARMv7 keeps its two-phase list', () => {
    expect(
      initPhases(d, 'armv7')
        .flatMap((p) => p.steps.map((s) => s.event))
        .filter((e) => e === 'HVC'),
    ).toHaveLength(2);
  });
  test('the arm64 profile runs it: the mutants are still caught on arm64 layouts', () => {
    expect(verdict({ design: 'trampoline', layout: 'arm64', cpus: 3, hotplug: 2, vms: 1 })).toBe('verified');
    expect(verdict({ design: 'no-boot-trampoline', layout: 'arm64', cpus: 2, hotplug: 1 })).toBe('translation-fault');
    expect(verdict({ design: 'no-tlbi', layout: 'arm64-highmem', cpus: 2, hotplug: 1, vms: 1 })).toBe('wrong-translation');
    expect(verdict({ design: 'tlbi-before-switch', layout: 'arm64-highmem', cpus: 2, hotplug: 1, vms: 1 })).toBe('wrong-translation');
  });
});

describe('pkvm (arm64 nVHE v5.13+): __pkvm_init switches EL2 to its own tables through the idmap', () => {
  test('the switch: jump to the idmap, MMU off, TLBI, new TTBR0_EL2, new SP, MMU on, ret through the idmap, __pkvm_init_finalise', () => {
    const sw = pkvmSwitchPhases(pkvm)
      .find((p) => p.name === 'pkvm-switch')!
      .steps.map((s) => s.event);
    expect(sw).toEqual(['HVC', 'JUMP_IDMAP', 'DISABLE_MMU', 'TLBI', 'SWITCH_PGD', 'SET_STACK', 'ENABLE_MMU', 'RET', 'PKVM_INIT_FINALISE', 'ERET']);
    const host = pkvmSwitchPhases(pkvm).find((p) => p.name === 'pkvm-host')!.steps;
    expect(host.find((s) => s.event === 'SET_PGD')!.effect({} as never, { idmapVa: 0, initPa: 0, trampolineVa: 0 })).toEqual({ httbr: 'hyp' });
  });
  test("kernel order: host pgd, __pkvm_init on the calling CPU, free_hyp_pgds, then on_each_cpu onto EL2's tables", () => {
    const ev = kernelSteps(pkvm, arm64Layout(2, 0), { cpus: 2, hotplug: 1 }).map((s) => s.event);
    expect(ev).toEqual([
      'KVM_MMU_INIT',
      'CREATE_HYP_MAPPINGS',
      'PKVM_INIT',
      'FREE_HYP_PGDS',
      'ON_EACH_CPU',
      'REGISTER_CPU_NOTIFIER',
      'HYP_CPU_PM_INIT',
      'KVM_UP',
    ]);
  });
  test.each([
    [{ design: 'pkvm', cpus: 3, hotplug: 2, vms: 1, cpuPm: 1 }, 'verified'],
    [{ design: 'pkvm-no-idmap', cpus: 2, hotplug: 0 }, 'translation-fault'],
    // Not caught: the new tables give every VA the PA the host's did, so no leaf entry is stale (see docs/kernel-history.md).
    [{ design: 'pkvm-no-tlbi', cpus: 2, hotplug: 1, vms: 1, cpuPm: 1 }, 'verified'],
    [{ design: 'pkvm-mmu-on', cpus: 2, hotplug: 1, vms: 1, cpuPm: 1 }, 'verified'],
  ] as const)('%j → %s, with and without reductions', (o, want) => {
    expect(verdict(o)).toBe(want);
    expect(verdict(o, { symmetry: false, por: false })).toBe(want);
  });
  test('pkvm-no-idmap faults at the ret after the MMU comes back on, through pkvm_pgtable', () => {
    expect(run({ design: 'pkvm-no-idmap', cpus: 2 }).violation!.message).toMatch(/^cpu0 RET at VA 0x80208000: pkvm_pgtable does not map it/);
  });
  test('a CPU in runtime under pKVM runs on pkvm_pgtable, not on the host tables the host freed', () => {
    const sys = system({ design: 'pkvm', cpus: 2, hotplug: 1 });
    expect(sys.spec.invariants.map((i) => i.id)).toContain('runtime-state');
    expect(verdict({ design: 'pkvm', cpus: 2, hotplug: 1 })).toBe('verified');
  });
  test('pKVM knobs are refused where they mean nothing, one clear line', () => {
    expect(() => parseDesign({ extends: 'trampoline', pkvmIdmap: false }, 'x')).toThrow(InputError);
    expect(() => parseDesign({ extends: 'trampoline', pkvmIdmap: false }, 'x')).toThrow(/pkvmIdmap and pkvmMmuOff are pKVM knobs/);
    expect(() => parseDesign({ extends: 'pkvm', hypReset: 'idmap' }, 'x')).toThrow(/pgds "pkvm" has no trampoline/);
    expect(knobs).toEqual(expect.arrayContaining(['pkvmIdmap', 'pkvmMmuOff']));
  });
  test('every pKVM mutant undoes one knob of pkvm', () => {
    for (const m of laterMutants.filter((d) => d.name.startsWith('pkvm-'))) {
      const changed = knobs.filter((k) => m[k] !== pkvm[k]);
      expect([m.name, changed.length]).toEqual([m.name, 1]);
    }
    expect(allDesigns.map((d) => d.name)).toEqual(expect.arrayContaining(['pkvm', 'pkvm-no-tlbi', 'pkvm-mmu-on', 'pkvm-no-idmap', 'legacy-hotplug']));
  });
});

describe('CONFIG_HOTPLUG_CPU is a design knob (hotplugCpu), no longer only inferred from K', () => {
  const v315 = findDesign('trampoline-v3.15')!;
  test("'n' frees the boot pgd and the CPU PM re-init walks virt_to_phys(NULL); 'y' keeps it; 'auto' follows K", () => {
    expect(verdict({ design: { ...v315, name: 'n', hotplugCpu: 'n' }, cpus: 2, hotplug: 0, cpuPm: 1 })).toBe('use-after-free');
    expect(verdict({ design: { ...v315, name: 'y', hotplugCpu: 'y' }, cpus: 2, hotplug: 0, cpuPm: 1 })).toBe('verified');
    expect(verdict({ design: v315, cpus: 2, hotplug: 0, cpuPm: 1 })).toBe('use-after-free');
    expect(verdict({ design: v315, cpus: 2, hotplug: 1, cpuPm: 1 })).toBe('verified');
  });
  test("'n' with --hotplug ≥ 1 is refused in one line, and a file says it as a knob", () => {
    expect(() => system({ design: { ...v315, name: 'n', hotplugCpu: 'n' }, cpus: 2, hotplug: 1 })).toThrow(InputError);
    expect(() => system({ design: { ...v315, name: 'n', hotplugCpu: 'n' }, cpus: 2, hotplug: 1 })).toThrow(
      /built without CONFIG_HOTPLUG_CPU \(hotplugCpu "n"\): --hotplug must be 0, got 1/,
    );
    expect(parseDesign({ extends: 'trampoline', hotplugCpu: 'y' }, 'x').hotplugCpu).toBe('y');
    expect(() => parseDesign({ extends: 'trampoline', hotplugCpu: 'maybe' }, 'x')).toThrow(/hotplugCpu must be one of auto \| y \| n/);
  });
});

describe('every step of every design, on both profiles, cites a version, a file and a function', () => {
  test.each(allDesigns.map((d) => [d.name, d] as const))('%s', (_name, d) => {
    const cite = /^(v\d+\.\d+\+?(\+notifier)?|not in v3\.9)\b.*\b(arch|virt)\/[\w/.-]+\.[chS] \w+/;
    for (const profile of ['armv7', 'arm64'] as const) {
      const l = profile === 'arm64' ? arm64Layout(2, 1) : collideLayout(2, 1);
      const cpu = [...initPhases(d, profile), ...(d.pgds === 'pkvm' ? pkvmSwitchPhases(d) : [])].flatMap((p) => p.steps);
      for (const s of [...cpu, ...teardownSteps(d), ...kernelSteps(d, l, { cpus: 2, hotplug: 1 })]) expect(s.cite).toMatch(cite);
    }
  });
});

describe('the inspector shows pkvm_pgtable under pKVM', () => {
  test('a pkvm-no-idmap trace: the faulting CPU runs on pkvm_pgtable, which the memory view lists', () => {
    const sys = system({ design: 'pkvm-no-idmap', cpus: 2 });
    const r = explore(sys);
    const data = traceSession(sys, r.violation!.trace, { source: 'test', title: 'pkvm' }).data();
    const last = data.frames[data.frames.length - 1];
    expect(data.tables.mems[last.m].pgds.map((p) => p.name)).toEqual(['boot_hyp_pgd', 'hyp_pgd', 'pkvm_pgtable']);
  });
});

describe("v4.7 and v4.8 in the kernel's order (kvmCore)", () => {
  const v47 = findDesign('hyp-reset')!;
  test('init_hyp_mode ends with free_boot_hyp_pgd; init_subsystems enables, then disables; hardware_enable_all once a VM exists', () => {
    const ev = kernelSteps(v47, collideLayout(2, 1), { cpus: 2, hotplug: 0 }).map((s) => s.event);
    expect(ev).toEqual([
      'KVM_MMU_INIT',
      'CREATE_HYP_MAPPINGS',
      'FREE_BOOT_HYP_PGD',
      'ON_EACH_CPU',
      'HYP_CPU_PM_INIT',
      'HARDWARE_DISABLE',
      'REGISTER_CPU_NOTIFIER',
      'KVM_UP',
      'HARDWARE_ENABLE_ALL',
    ]);
    expect(kernelSteps(v47, collideLayout(2, 1), { cpus: 2, hotplug: 1 }).map((s) => s.event)).not.toContain('FREE_BOOT_HYP_PGD');
    expect(kernelSteps(findDesign('merged-idmap')!, arm64Layout(2, 1), { cpus: 2, hotplug: 0 }).map((s) => s.event)).not.toContain('FREE_BOOT_HYP_PGD');
  });
  test('with no VM every CPU ends on the stub, and that is not a liveness violation in this era', () => {
    const sys = system({ design: 'hyp-reset', cpus: 2, hotplug: 1 });
    expect(sys.spec.invariants.map((i) => i.id)).toContain('hyp-up-while-vm');
    expect(sys.spec.invariants.map((i) => i.id)).not.toContain('init-completes');
    expect(verdict({ design: 'hyp-reset', cpus: 2, hotplug: 1 })).toBe('verified');
  });
  test('without kvm_cpu_hotplug, a CPU that comes back while a VM exists stays on the stub: hyp-up-while-vm', () => {
    const noHotplugCb = { ...v47, name: 'no-kvm-cpu-hotplug', cpuNotifier: false };
    const r = run({ design: noHotplugCb, layout: 'disjoint', cpus: 2, hotplug: 1, vms: 1 });
    expect(r.violation?.invariant).toBe('hyp-up-while-vm');
    expect(r.violation!.message).toMatch(/^a VM exists but HYP is not up on online: cpu\d \(off\.stub\)/);
  });
  test('a non-VHE v4.7 kernel without CONFIG_HOTPLUG_CPU walks virt_to_phys(NULL) at the very first init', () => {
    const r = run({ design: 'hyp-reset', cpus: 2, hotplug: 0 });
    expect(r.violation?.invariant).toBe('use-after-free');
    expect(r.violation!.trace.length).toBeLessThan(15); // during init_subsystems, before KVM is up
    expect(r.violation!.message).toMatch(/virt_to_phys\(NULL\)/);
  });
  test('the teardown is exercised at boot by init_subsystems: hyp-reset-no-tlbi breaks with no VM at all', () => {
    expect(verdict({ design: 'hyp-reset-no-tlbi', cpus: 2, hotplug: 0 })).toBe('use-after-free');
    expect(verdict({ design: 'hyp-reset-no-tlbi', cpus: 2, hotplug: 1 })).toBe('wrong-translation');
  });
});
