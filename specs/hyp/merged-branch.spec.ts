/**
 * Issue 13 item 5: arm64's merged-pgd branch in __do_hyp_init (v4.0-v4.7, read in a v4.1 tree): when
 * kvm_mmu_init merged the boot and runtime pgds, "cmp x0, x1; b.eq merged" skips the trampoline dance.
 */
import { explore } from '../../api/explore';
import { system } from '../../api/system';
import { extendedIdmap, findDesign } from '../../design/design';
import { initPhases } from '../../machines/cpu-steps';

const events = (d: Parameters<typeof initPhases>[0], p: 'arm64' | 'armv7') => initPhases(d, p).flatMap((ph) => ph.steps.map((s) => s.event));

describe('arm64 __do_hyp_init takes b.eq merged exactly when the boot and runtime pgds are one', () => {
  test('extended-idmap on arm64: no trampoline jump, no TTBR0_EL2 switch, no TLBI after the MMU is on', () => {
    expect(events(extendedIdmap, 'arm64')).toEqual(['SET_VECTORS', 'HVC', 'SET_PGD', 'TLBI', 'ENABLE_MMU', 'BRANCH_MERGED', 'SET_STACK', 'ERET']);
    const steps = initPhases(extendedIdmap, 'arm64').flatMap((ph) => ph.steps);
    expect(steps.find((s) => s.event === 'BRANCH_MERGED')!.cite).toMatch(/v4\.1 arch\/arm64\/kvm\/hyp-init\.S __do_hyp_init: cmp x0, x1; b\.eq merged/);
    // After the branch the CPU never leaves the idmap: SP, VBAR and eret are fetched there, through the one pgd.
    expect(steps.slice(-3).map((s) => s.fetch)).toEqual(['idmap', 'idmap', 'idmap']);
    expect(steps.find((s) => s.event === 'SET_PGD')!.effect({} as never, { idmapVa: 0, initPa: 0, trampolineVa: 0 })).toEqual({ httbr: 'hyp' });
  });

  test('the branch is derived from the design: two pgds keep the trampoline; v4.8 (one pgd argument) has no cmp', () => {
    const split = { ...extendedIdmap, pgds: 'split' as const, bootTrampoline: true, runtimeTrampoline: true, tlbi: 'after-switch' as const };
    expect(events(split, 'arm64')).toContain('SWITCH_PGD');
    expect(events(split, 'arm64')).not.toContain('BRANCH_MERGED');
    expect(events(findDesign('merged-idmap')!, 'arm64')).not.toContain('BRANCH_MERGED');
  });

  test('verdict: extended-idmap is verified on arm64 under hotplug, CPU PM and a VM', () => {
    const r = explore(system({ design: 'extended-idmap', cpus: 3, hotplug: 2, cpuPm: 1, vms: 1 }));
    expect(r.result).toBe('verified');
  });

  test("refused where the pre-v4.8 kern_hyp_va mask puts vm0's HYP VA on the idmap (arm64-highmem)", () => {
    // With the pre-v4.8 "high" mask on arm64-highmem, vm0's HYP VA is the idmap VA: kvm_mmu_init refuses it.
    expect(() => system({ design: 'extended-idmap', layout: 'arm64-highmem', cpus: 2, vms: 1 })).toThrow(/vm0 struct/);
  });
});
